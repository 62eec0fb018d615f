using System.Globalization;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>The text of each event of a watched job, the same on a terminal and in a log.</summary>
internal static class WatchLines
{
    /// <summary>The job as the watch found it (the first response, which has no event).</summary>
    public static string Current(JobStatus job) =>
        Invariant($"job {job.JobId}{NameOf(job)} {JobStates.Name(job.State)}: epoch {job.Epoch}/{job.Epochs}, step {job.Step}/{job.TotalSteps}, {job.ActiveWorkers} workers{ReasonOf(job)}");

    /// <summary>Progress within an epoch.</summary>
    public static string Progress(JobStatus job, StepProgress progress) =>
        Invariant($"step {progress.Step}/{job.TotalSteps}  epoch {progress.Epoch}/{job.Epochs}  {ProgressFigures(progress)}");

    /// <summary>The loss, throughput and workers of <paramref name="progress"/> (also the live bar's text).</summary>
    public static string ProgressFigures(StepProgress progress) =>
        Invariant($"train loss {progress.TrainLoss:F4}  {progress.SamplesPerSecond:N0} samples/s  {progress.ActiveWorkers} workers");

    /// <summary>The summary of a finished epoch.</summary>
    public static string Epoch(JobStatus job, EpochFinished epoch) =>
        Invariant($"epoch {epoch.Epoch}/{job.Epochs}  train loss {epoch.TrainLoss:F4}{TestFigures(epoch)}{StoppingFigures(epoch)}  ({epoch.Seconds:F1} s)");

    /// <summary>A worker joined or left the job.</summary>
    public static string Worker(WorkerChanged worker) =>
        worker.Joined
            ? $"worker {worker.Address} joined"
            : $"worker {worker.Address} left{(string.IsNullOrEmpty(worker.Reason) ? string.Empty : $": {worker.Reason}")}";

    /// <summary>A worker was late with its blocks, which went to other workers as well.</summary>
    public static string Slow(WorkerSlow slow) =>
        Invariant($"worker {slow.Address} slow at step {slow.Step}: {slow.Blocks} blocks owed for {slow.WaitedSeconds * 1000:F0} ms (deadline {slow.DeadlineSeconds * 1000:F0} ms), also sent to other workers");

    /// <summary>The job stopped training for a while (no ready worker, a stalled step), and why.</summary>
    public static string Waiting(JobStatus job, Waiting waiting) => $"job {job.JobId} {waiting.Reason}";

    /// <summary>The job moved to a new state (with the reason when it ended other than well).</summary>
    public static string State(JobStatus job, StateChanged change) => $"job {job.JobId} {JobStates.Name(change.State)}{ReasonOf(job)}";

    /// <summary>Test loss and accuracy, for the parts the dataset has.</summary>
    private static string TestFigures(EpochFinished epoch) =>
        (epoch.HasTestLoss ? Invariant($"  test loss {epoch.TestLoss:F4}") : "")
        + (epoch.HasTestAccuracy ? Invariant($"  test accuracy {epoch.TestAccuracy * 100:F2}%") : "");

    /// <summary>Early stopping: this epoch is the best so far, or the job stops after it (keeping the best epoch's weights).</summary>
    private static string StoppingFigures(EpochFinished epoch) =>
        (epoch.BestEpoch > 0 && epoch.BestEpoch == epoch.Epoch ? "  best" : "")
        + (epoch.Stops ? Invariant($"  early stop: the model keeps epoch {epoch.BestEpoch}'s weights") : "");

    private static string NameOf(JobStatus job) => string.IsNullOrEmpty(job.Name) ? string.Empty : $" ({job.Name})";

    private static string ReasonOf(JobStatus job) =>
        !string.IsNullOrEmpty(job.Reason) ? $": {job.Reason}" : !string.IsNullOrEmpty(job.Waiting) ? $", {WaitingSince(job)}" : string.Empty;

    /// <summary>Why the job waits and since when (UTC), e.g. "waiting for workers: 0 of 2 ready (since 12:04:31 UTC)".</summary>
    public static string WaitingSince(JobStatus job) =>
        job.WaitingSinceUnixMs == 0
            ? job.Waiting
            : Invariant($"{job.Waiting} (since {DateTimeOffset.FromUnixTimeMilliseconds(job.WaitingSinceUnixMs):HH:mm:ss} UTC)");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
