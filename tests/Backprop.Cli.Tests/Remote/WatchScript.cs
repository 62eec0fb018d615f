using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

/// <summary>Canned WatchJob streams.</summary>
internal static class WatchScript
{
    /// <summary>A two-epoch job that starts, makes progress, gains a worker and succeeds.</summary>
    public static IEnumerable<WatchJobResponse> Succeeding(string jobId)
    {
        yield return new WatchJobResponse { Job = Status(jobId, JobState.Queued, step: 0, epoch: 0) };
        yield return new WatchJobResponse { Job = Status(jobId, JobState.Running, 0, 0), StateChanged = new StateChanged { State = JobState.Running } };
        yield return new WatchJobResponse { Job = Status(jobId, JobState.Running, 0, 0), WorkerChanged = new WorkerChanged { Address = "10.0.0.2:4053", Joined = true } };
        yield return new WatchJobResponse
        {
            Job = Status(jobId, JobState.Running, 5, 1),
            Progress = new StepProgress { Step = 5, Epoch = 1, TrainLoss = 0.6f, SamplesPerSecond = 1234, ActiveWorkers = 1 },
        };
        yield return new WatchJobResponse
        {
            Job = Status(jobId, JobState.Running, 10, 1),
            EpochFinished = new EpochFinished { Epoch = 1, TrainLoss = 0.5f, TestLoss = 0.4f, TestAccuracy = 0.875f, Seconds = 1.5 },
        };
        yield return new WatchJobResponse
        {
            Job = Status(jobId, JobState.Running, 20, 2),
            EpochFinished = new EpochFinished { Epoch = 2, TrainLoss = 0.25f, TestLoss = 0.2f, TestAccuracy = 1f, Seconds = 2.0 },
        };
        yield return new WatchJobResponse { Job = Status(jobId, JobState.Succeeded, 20, 2), StateChanged = new StateChanged { State = JobState.Succeeded } };
    }

    /// <summary>A job that runs one step and fails with <paramref name="reason"/>.</summary>
    public static IEnumerable<WatchJobResponse> Failing(string jobId, string reason)
    {
        yield return new WatchJobResponse { Job = Status(jobId, JobState.Running, 0, 0) };
        var failed = Status(jobId, JobState.Failed, 1, 0);
        failed.Reason = reason;
        yield return new WatchJobResponse { Job = failed, StateChanged = new StateChanged { State = JobState.Failed } };
    }

    public static JobStatus Status(string jobId, JobState state, long step, int epoch) =>
        new() { JobId = jobId, State = state, Step = step, TotalSteps = 20, Epoch = epoch, Epochs = 2, ActiveWorkers = 1 };
}
