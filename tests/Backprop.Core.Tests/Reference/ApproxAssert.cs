using System.Globalization;
using System.Text;

namespace Backprop.Core.Tests.Reference;

/// <summary>Element-by-element comparison that reports every element out of tolerance, by name.</summary>
internal static class ApproxAssert
{
    private const int MaxReported = 12;

    /// <summary>
    /// Fails unless |actual[k] − expected[k]| ≤ <paramref name="tolerance"/>(expected[k]) for every k
    /// (NaN never passes),
    /// listing the offending elements named by <paramref name="describe"/>.
    /// </summary>
    public static void AllClose(
        IReadOnlyList<double> expected,
        IReadOnlyList<double> actual,
        Func<double, double> tolerance,
        Func<int, string> describe,
        string what) =>
        AllCloseAt(expected, actual, k => tolerance(expected[k]), describe, what);

    /// <summary>As <see cref="AllClose"/>, with the tolerance chosen per element index.</summary>
    public static void AllCloseAt(
        IReadOnlyList<double> expected,
        IReadOnlyList<double> actual,
        Func<int, double> toleranceAt,
        Func<int, string> describe,
        string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} values, got {actual.Count}");
        var report = new StringBuilder();
        var failures = 0;
        for (var k = 0; k < expected.Count; k++)
        {
            var error = Math.Abs(actual[k] - expected[k]);
            var tolerance = toleranceAt(k);
            if (!(error <= tolerance))
            {
                if (failures < MaxReported)
                {
                    report.AppendLine(CultureInfo.InvariantCulture,
                        $"  {describe(k)}: expected {expected[k]:G9}, got {actual[k]:G9} (|diff| {error:G3} > {tolerance:G3})");
                }

                failures++;
            }
        }

        Assert.True(failures == 0, $"{what}: {failures} of {expected.Count} values out of tolerance\n{report}");
    }

    /// <summary>Fails unless |actual − expected| ≤ <paramref name="tolerance"/>.</summary>
    public static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:G9}, got {actual:G9} (tolerance {tolerance:G3})"));
}
