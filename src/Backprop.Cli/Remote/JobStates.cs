using Backprop.Core;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>Job states as the CLI writes and reads them (lower case, as in <c>--state running</c>).</summary>
internal static class JobStates
{
    private static readonly JobState[] Named = [JobState.Queued, JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    /// <summary>The names <c>--state</c> accepts, for messages.</summary>
    public static string AcceptedNames => string.Join(", ", Named.Select(Name));

    /// <summary>The name of <paramref name="state"/>.</summary>
    public static string Name(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => "unknown",
    };

    /// <summary>The state <paramref name="name"/> names; <paramref name="flag"/> names the flag in errors.</summary>
    /// <exception cref="InvalidInputException">Not a state name.</exception>
    public static JobState Parse(string name, string flag) =>
        Array.Find(Named, state => Name(state).Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)) is var found && found != JobState.Unspecified
            ? found
            : throw new InvalidInputException($"{flag}: unknown state '{name}' (use {AcceptedNames})");

    /// <summary>Whether a job in <paramref name="state"/> has ended.</summary>
    public static bool IsFinal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
