namespace Backprop.MultiHost.Tests.Harness;

/// <summary>Compares model JSON files, as <c>backprop train --out</c> and <c>backprop model --out</c> write them.</summary>
internal static class ModelFiles
{
    /// <summary>Asserts that the two files are the same byte for byte, naming the first line that differs.</summary>
    public static void AssertIdentical(string expectedPath, string actualPath)
    {
        var expected = File.ReadAllText(expectedPath);
        var actual = File.ReadAllText(actualPath);
        if (expected == actual)
        {
            return;
        }

        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
        Assert.Fail(line < 0
            ? $"{actualPath} has {actualLines.Length} lines, {expectedPath} {expectedLines.Length}"
            : $"{actualPath} differs from the undisturbed run {expectedPath} at line {line + 1}:\n  expected {Clip(expectedLines[line])}\n  actual   {Clip(actualLines[line])}");
    }

    private static string Clip(string line) => line.Length <= 200 ? line : line[..200] + "…";
}
