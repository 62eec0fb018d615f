using Backprop.Cli.Output;
using Backprop.Core.Model;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Grpc.Core;
using TrainerClient = Backprop.Protocol.V1.Trainer.TrainerClient;

namespace Backprop.Cli.Remote;

/// <summary>Follows a job's WatchJob stream to its end and turns the final state into the exit code.</summary>
internal static class JobWatch
{
    /// <summary>
    /// Shows the events of job <paramref name="jobId"/> until it ends, then the metrics of a job that succeeded with them: <see cref="BackpropCli.Success"/> when it
    /// succeeded, <see cref="BackpropCli.Failure"/> when it failed or was cancelled, <see cref="BackpropCli.Interrupted"/>
    /// when Ctrl+C stopped the watch (the job goes on).
    /// </summary>
    /// <exception cref="RemoteCallException">The stream ended before the job did.</exception>
    public static async Task<int> RunAsync(TrainerClient client, string jobId, int everySteps, TextWriter output, bool interactive)
    {
        var request = new WatchJobRequest { JobId = jobId, EverySteps = everySteps };
        using var interrupt = new InterruptSignal();
        JobStatus? last;
        try
        {
            last = interactive
                ? await LiveWatchView.ShowAsync(output, view => FollowAsync(client, request, view, interrupt.Token))
                : await FollowAsync(client, request, new PlainWatchView(output), interrupt.Token);
        }
        catch (Exception error) when (interrupt.Token.IsCancellationRequested && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException)
        {
            output.WriteLine($"stopped watching job {jobId}; it goes on on the server");
            return BackpropCli.Interrupted;
        }

        if (last is { State: JobState.Succeeded, Metrics: { } metrics })
        {
            var (scores, classNames) = MetricsConverter.MetricsFrom(metrics);
            MetricsTable.Write(scores, metrics.EvaluatedOn, new ModelMetadata(LabelNames: classNames), output, interactive);
        }

        return ExitCodeOf(jobId, last);
    }

    /// <summary>Shows every response and returns the job as the last one left it (null when there was none).</summary>
    private static async Task<JobStatus?> FollowAsync(TrainerClient client, WatchJobRequest request, IWatchView view, CancellationToken cancellation)
    {
        using var call = client.WatchJob(request, cancellationToken: cancellation);
        JobStatus? last = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellation))
        {
            var job = response.Job ?? new JobStatus { JobId = request.JobId };
            last = job;
            switch (response.EventCase)
            {
                case WatchJobResponse.EventOneofCase.Progress:
                    view.Progress(job, response.Progress);
                    break;
                case WatchJobResponse.EventOneofCase.EpochFinished:
                    view.Line(WatchLines.Epoch(job, response.EpochFinished));
                    break;
                case WatchJobResponse.EventOneofCase.WorkerChanged:
                    view.Line(WatchLines.Worker(response.WorkerChanged));
                    break;
                case WatchJobResponse.EventOneofCase.Waiting:
                    view.Line(WatchLines.Waiting(job, response.Waiting));
                    break;
                case WatchJobResponse.EventOneofCase.WorkerSlow:
                    view.Line(WatchLines.Slow(response.WorkerSlow));
                    break;
                case WatchJobResponse.EventOneofCase.StateChanged:
                    view.Line(WatchLines.State(job, response.StateChanged));
                    break;
                case WatchJobResponse.EventOneofCase.None:
                    view.Line(WatchLines.Current(job));
                    break;
                default:
                    // An event a newer server sends and this client does not know: the status still counts.
                    break;
            }
        }

        return last;
    }

    private static int ExitCodeOf(string jobId, JobStatus? last) => last?.State switch
    {
        JobState.Succeeded => BackpropCli.Success,
        JobState.Failed or JobState.Cancelled => BackpropCli.Failure,
        null => throw new RemoteCallException($"server error: the watch of job {jobId} ended without a response"),
        var state => throw new RemoteCallException($"server error: the watch of job {jobId} ended while it was {JobStates.Name(state.Value)}"),
    };
}
