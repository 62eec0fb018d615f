using System.CommandLine;
using Backprop.Core;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop watch JOB</c>: follows a job until it ends; the exit code says how it ended.</summary>
internal static class WatchCommand
{
    /// <summary>The verb with its flags; events go to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, bool interactive)
    {
        var remote = new RemoteFlags();
        var job = JobCommandArgs.Job();
        var everySteps = EveryStepsFlag();
        var command = new Command("watch", "Follow a job's progress until it ends (exit 0 if it succeeded, 1 if it failed or was cancelled); Ctrl+C stops watching, not the job.")
        {
            job,
            everySteps,
        };
        remote.AddTo(command);
        command.SetAction(parsed => TrainerConnection.Run(remote, parsed, connection =>
            JobWatch.RunAsync(connection.Client, parsed.GetValue(job)!, EverySteps(everySteps, parsed), output, interactive)));
        return command;
    }

    /// <summary>A new <c>--every-steps</c> flag (watch and submit --watch).</summary>
    public static Option<int> EveryStepsFlag() =>
        new("--every-steps") { Description = "A progress event every N steps (default: the server's, about one per second)" };

    /// <summary>The value of <paramref name="flag"/>, checked.</summary>
    public static int EverySteps(Option<int> flag, ParseResult parsed)
    {
        var steps = parsed.GetValue(flag);
        return steps >= 0 ? steps : throw new InvalidInputException($"{flag.Name}: must be ≥ 1 (or left out for the server's default), got {steps}");
    }
}
