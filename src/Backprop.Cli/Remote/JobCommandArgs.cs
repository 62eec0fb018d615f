using System.CommandLine;

namespace Backprop.Cli.Remote;

/// <summary>The <c>JOB</c> argument of the verbs about one job.</summary>
internal static class JobCommandArgs
{
    /// <summary>A new required <c>JOB</c> argument.</summary>
    public static Argument<string> Job() => new("JOB") { Description = "The job id that submit printed" };
}
