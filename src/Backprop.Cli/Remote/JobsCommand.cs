using System.CommandLine;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop jobs</c>: lists the server's jobs.</summary>
internal static class JobsCommand
{
    /// <summary>The verb with its flags; the table goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, bool interactive)
    {
        var remote = new RemoteFlags();
        var state = new Option<string?>("--state") { Description = $"Only jobs in this state: {JobStates.AcceptedNames}" };
        var command = new Command("jobs", "List the server's jobs with their state and progress.") { state };
        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var request = new ListJobsRequest { State = parsed.GetValue(state) is { } name ? JobStates.Parse(name, state.Name) : JobState.Unspecified };
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                var response = await connection.Client.ListJobsAsync(request);
                JobTable.Write(response.Jobs, output, interactive);
                return BackpropCli.Success;
            });
        });
        return command;
    }
}
