namespace Backprop.Cli.Tests;

/// <summary>Runs the <c>backprop</c> command in-process and captures what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = BackpropCli.Run(args, output, error, interactive: false);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Asserts a bad-input failure: exit code 2 and exactly one stderr line containing every fragment.</summary>
    public void AssertBadInput(params string[] fragments)
    {
        Assert.Equal(BackpropCli.BadInput, ExitCode);
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got:\n{Error}");
        Assert.DoesNotContain("   at ", Error);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, lines[0]);
        }
    }
}
