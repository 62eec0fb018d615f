using System.CommandLine;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop cancel JOB</c>: cancels a queued or running job.</summary>
internal static class CancelCommand
{
    /// <summary>The verb with its flags; the job's state afterwards goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var remote = new RemoteFlags();
        var job = JobCommandArgs.Job();
        var command = new Command("cancel", "Cancel a queued or running job and print its state after.") { job };
        remote.AddTo(command);
        command.SetAction(parsed => TrainerConnection.Run(remote, parsed, async connection =>
        {
            var response = await connection.Client.CancelJobAsync(new CancelJobRequest { JobId = parsed.GetValue(job)! });
            var status = response.Job ?? new JobStatus { JobId = parsed.GetValue(job)! };
            output.WriteLine($"job {status.JobId} {JobStates.Name(status.State)}");
            return BackpropCli.Success;
        }));
        return command;
    }
}
