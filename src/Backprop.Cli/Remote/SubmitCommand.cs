using System.CommandLine;
using Backprop.Cli.Train;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop submit</c>: sends a training job to the server, with the flags of <c>backprop train</c>.</summary>
internal static class SubmitCommand
{
    /// <summary>The verb with its flags; the job id (and, with --watch, its events) go to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, bool interactive)
    {
        var flags = new TrainFlags();
        var remote = new RemoteFlags();
        var name = new Option<string?>("--name") { Description = "A name for the job, shown by jobs and watch" };
        var dataset = new Option<string?>("--dataset") { Description = "Train on a dataset sent with upload (its id) instead of --data" };
        var watch = new Option<bool>("--watch") { Description = "Follow the job until it ends, as watch does" };
        var everySteps = WatchCommand.EveryStepsFlag();
        var command = new Command("submit", "Submit a training job to a server (the flags of train; --data names a built-in dataset or a path under the server's data root).");
        foreach (var flag in flags.Job)
        {
            command.Options.Add(flag);
        }

        command.Options.Add(name);
        command.Options.Add(dataset);
        command.Options.Add(watch);
        command.Options.Add(everySteps);
        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var request = SubmitRequestBuilder.Build(flags, parsed, parsed.GetValue(name), parsed.GetValue(dataset));
            var every = WatchCommand.EverySteps(everySteps, parsed);
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                var response = await connection.Client.SubmitJobAsync(request);
                output.WriteLine($"job {response.JobId} submitted");
                return parsed.GetValue(watch)
                    ? await JobWatch.RunAsync(connection.Client, response.JobId, every, output, interactive)
                    : BackpropCli.Success;
            });
        });
        return command;
    }
}
