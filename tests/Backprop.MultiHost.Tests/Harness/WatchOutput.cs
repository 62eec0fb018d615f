using System.Globalization;
using System.Text.RegularExpressions;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>Reads the lines <c>backprop watch</c> prints (src/Backprop.Cli/Remote/WatchLines.cs).</summary>
internal static partial class WatchOutput
{
    /// <summary>The step of a progress line ("step 12/300  epoch 4/100  …"), or null for another line.</summary>
    public static int? StepOf(string line)
    {
        var match = ProgressLine().Match(line);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>A progress line of step <paramref name="step"/> or later.</summary>
    public static Func<string, bool> StepAtLeast(int step) => line => StepOf(line) >= step;

    /// <summary>A progress line of a step that <paramref name="workers"/> workers computed.</summary>
    public static Func<string, bool> StepOn(int workers) =>
        line => IsProgress(line) && line.EndsWith($" {workers} workers", StringComparison.Ordinal);

    /// <summary>Any progress line.</summary>
    public static bool IsProgress(string line) => StepOf(line) is not null;

    /// <summary>The event of <paramref name="node"/>'s worker joining the job ("worker akka.ssl.tcp://…/user/gradient-worker joined").</summary>
    public static Func<string, bool> Joined(ClusterNode node) =>
        line => line.StartsWith($"worker {node.Address}/", StringComparison.Ordinal) && line.EndsWith(" joined", StringComparison.Ordinal);

    /// <summary>The event of <paramref name="node"/>'s worker leaving the job, for whatever reason.</summary>
    public static Func<string, bool> Left(ClusterNode node) =>
        line => line.StartsWith($"worker {node.Address}/", StringComparison.Ordinal) && line.Contains(" left", StringComparison.Ordinal);

    [GeneratedRegex(@"^step (\d+)/\d+ ")]
    private static partial Regex ProgressLine();
}
