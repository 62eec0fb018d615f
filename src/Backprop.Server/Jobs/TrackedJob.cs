using System.Diagnostics;
using Backprop.Cluster.Jobs;
using NetworkSpec = Backprop.Core.Model.NetworkSpec;
using ModelMetadata = Backprop.Core.Model.ModelMetadata;
using TrainedModel = Backprop.Core.Model.TrainedModel;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Server.Jobs;

/// <summary>
/// What the Trainer service knows about one job: its record (request and status), its watchers, and its model
/// once it succeeded. Applies the job's events to its status and passes them on to every watcher. Thread-safe.
/// </summary>
internal sealed class TrackedJob
{
    /// <summary>Shortest time over which throughput is measured between step events.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly JobRecord _record;
    private readonly List<JobWatcher> _watchers = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _rateClock = new();
    private long _rateStep;

    /// <summary>
    /// Tracks <paramref name="record"/>, whose steps train <paramref name="batchSize"/> samples each, of a network of
    /// <paramref name="spec"/> whose model will carry <paramref name="metadata"/>.
    /// </summary>
    public TrackedJob(JobRecord record, int batchSize, NetworkSpec? spec = null, ModelMetadata? metadata = null)
    {
        _record = record;
        BatchSize = batchSize;
        Spec = spec;
        Metadata = metadata ?? ModelMetadata.None;
        if (IsFinal(record.Status.State))
        {
            _ended.SetResult();
        }
    }

    /// <summary>The job's id.</summary>
    public string Id => _record.JobId;

    /// <summary>Samples per step (the last step of an epoch may have fewer).</summary>
    public int BatchSize { get; }

    /// <summary>The job's network architecture; null for a job that ended before this coordinator started.</summary>
    public NetworkSpec? Spec { get; }

    /// <summary>Completes when the job reaches a final state.</summary>
    public Task Ended => _ended.Task;

    /// <summary>The names and preprocessing of the job's data, which its model keeps; none for a job that ended before this coordinator started.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>The trained model, once the job succeeded and its model was loaded or received.</summary>
    public TrainedModel? Model { get; set; }

    /// <summary>Whether <paramref name="state"/> is one a job never leaves.</summary>
    public static bool IsFinal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>
    /// Sets the progress in <paramref name="status"/> to where <paramref name="checkpoint"/> stands, as the step events
    /// up to it had left it: the step and checkpoint step, the 1-based epoch of the last step taken (0 before the
    /// first), and the epoch's mean training loss so far (unknown, so left alone, at the start of an epoch).
    /// </summary>
    public static void RestoreProgress(JobStatus status, JobCheckpoint checkpoint, int batchesPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchesPerEpoch);
        status.Step = checkpoint.Step;
        status.CheckpointStep = checkpoint.Step;
        status.Epoch = (int)((checkpoint.Step + batchesPerEpoch - 1) / batchesPerEpoch);
        if (checkpoint.EpochSamples > 0)
        {
            status.TrainLoss = (float)(checkpoint.EpochLossSum / checkpoint.EpochSamples);
        }

        status.BestEpoch = checkpoint.Stopping?.BestEpoch ?? 0;
    }

    /// <summary>A copy of the job's status now.</summary>
    public JobStatus Status()
    {
        lock (_gate)
        {
            return _record.Status.Clone();
        }
    }

    /// <summary>A copy of the job's record now, to persist.</summary>
    public JobRecord Record()
    {
        lock (_gate)
        {
            return _record.Clone();
        }
    }

    /// <summary>
    /// A new watcher, whose first event is the job as it stands; a job already ended sends only that.
    /// Call <see cref="Unwatch"/> when the call ends.
    /// </summary>
    public JobWatcher Watch(int everySteps)
    {
        var watcher = new JobWatcher(everySteps);
        lock (_gate)
        {
            watcher.Send(new WatchJobResponse { Job = _record.Status.Clone() });
            if (IsFinal(_record.Status.State))
            {
                watcher.Complete();
            }
            else
            {
                _watchers.Add(watcher);
            }
        }

        return watcher;
    }

    /// <summary>Stops sending to <paramref name="watcher"/>.</summary>
    public void Unwatch(JobWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>
    /// Applies <paramref name="jobEvent"/> to the status and tells the watchers. Returns whether the state changed
    /// (the record should then be persisted). Events after a final state change nothing.
    /// </summary>
    public bool Apply(IJobEvent jobEvent)
    {
        lock (_gate)
        {
            var status = _record.Status;
            if (IsFinal(status.State))
            {
                return false;
            }

            if (jobEvent is JobCheckpointed checkpointed)
            {
                // Stored by the job service; watchers learn of it through the status.
                status.CheckpointStep = checkpointed.Checkpoint.Step;
                return false;
            }

            var stateBefore = status.State;
            var response = new WatchJobResponse();
            switch (jobEvent)
            {
                case JobStarted:
                    status.State = JobState.Running;
                    _rateClock.Restart();
                    response.StateChanged = new StateChanged { State = JobState.Running };
                    break;
                case JobStepCompleted step:
                    ApplyStep(status, step);
                    response.Progress = new StepProgress
                    {
                        Step = status.Step,
                        Epoch = status.Epoch,
                        TrainLoss = status.TrainLoss,
                        SamplesPerSecond = status.SamplesPerSecond,
                        ActiveWorkers = status.ActiveWorkers,
                    };
                    break;
                case JobEpochCompleted epoch:
                    response.EpochFinished = ApplyEpoch(status, epoch);
                    break;
                case JobWorkerChanged worker:
                    status.ActiveWorkers = worker.ActiveWorkers;
                    response.WorkerChanged = new WorkerChanged { Address = worker.Worker, Joined = worker.Joined, Reason = worker.Reason ?? "" };
                    break;
                case JobWorkerSlow slow:
                    response.WorkerSlow = new WorkerSlow
                    {
                        Address = slow.Worker,
                        Step = slow.Step,
                        WaitedSeconds = slow.Waited.TotalSeconds,
                        DeadlineSeconds = slow.Deadline.TotalSeconds,
                        Blocks = slow.Blocks,
                    };
                    break;
                case JobWaitingForWorkers waiting:
                    status.ActiveWorkers = waiting.ReadyWorkers;
                    response.Waiting = Wait(status, $"waiting for workers: {waiting.ReadyWorkers} of {waiting.NeededWorkers} ready");
                    break;
                case JobStepStalled stalled:
                    response.Waiting = Wait(
                        status, $"step {stalled.Step} stalled: no result for {stalled.Waited.TotalSeconds:F0} s, sent again; outstanding: {stalled.Outstanding}");
                    break;
                case JobSucceeded succeeded:
                    Model = new TrainedModel(succeeded.Network, Metadata);
                    if (succeeded.Metrics is { } metrics)
                    {
                        var evaluatedOn = _record.Request?.Dataset?.ValidationSplit > 0 ? "validation" : "test";
                        status.Metrics = MetricsConverter.MetricsToProto(metrics, evaluatedOn, Metadata);
                    }

                    // A job stopped early keeps the step it stopped at.
                    if (status.Epoch == status.Epochs)
                    {
                        status.Step = status.TotalSteps;
                    }

                    End(status, response, JobState.Succeeded, "");
                    break;
                case JobFailed failed:
                    End(status, response, JobState.Failed, failed.Reason);
                    break;
                case JobCancelled cancelled:
                    End(status, response, JobState.Cancelled, cancelled.Reason);
                    break;
                default:
                    return false;
            }

            Broadcast(response);
            return status.State != stateBefore;
        }
    }

    /// <summary>Marks the job as not training for <paramref name="reason"/>, until its next step; the wait's start stays the first one's.</summary>
    private static Waiting Wait(JobStatus status, string reason)
    {
        if (status.WaitingSinceUnixMs == 0)
        {
            status.WaitingSinceUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }

        status.Waiting = reason;
        return new Waiting { Reason = reason };
    }

    /// <summary>The job trains again, or has ended.</summary>
    private static void StopWaiting(JobStatus status)
    {
        status.Waiting = "";
        status.WaitingSinceUnixMs = 0;
    }

    private void ApplyStep(JobStatus status, JobStepCompleted step)
    {
        StopWaiting(status);
        status.Step = step.Step + 1;
        status.Epoch = step.Progress.Epoch;
        status.TrainLoss = (float)step.Progress.MeanLossSoFar;
        status.ActiveWorkers = step.ActiveWorkers;
        if (step.Step == 0)
        {
            // The time before the first step went to finding workers and loading data, not to training.
            _rateStep = status.Step;
            _rateClock.Restart();
        }
        else if (_rateClock.Elapsed >= RateWindow)
        {
            status.SamplesPerSecond = (float)((status.Step - _rateStep) * BatchSize / _rateClock.Elapsed.TotalSeconds);
            _rateStep = status.Step;
            _rateClock.Restart();
        }
    }

    private static EpochFinished ApplyEpoch(JobStatus status, JobEpochCompleted epoch)
    {
        var report = epoch.Report;
        status.Epoch = report.Epoch;
        status.TrainLoss = (float)report.TrainLoss;
        status.SamplesPerSecond = (float)report.SamplesPerSecond;
        var finished = new EpochFinished { Epoch = report.Epoch, TrainLoss = status.TrainLoss, Seconds = report.Elapsed.TotalSeconds };
        if (report.Stopping is { } stopping)
        {
            status.BestEpoch = finished.BestEpoch = stopping.BestEpoch;
            finished.Stops = stopping.Stops;
        }

        if (report.Test is { } test)
        {
            status.TestLoss = finished.TestLoss = (float)test.MeanLoss;
            if (test.Accuracy is { } accuracy)
            {
                status.TestAccuracy = finished.TestAccuracy = (float)accuracy;
            }
        }

        return finished;
    }

    private void End(JobStatus status, WatchJobResponse response, JobState state, string reason)
    {
        status.State = state;
        status.Reason = reason;
        status.ActiveWorkers = 0;
        StopWaiting(status);
        response.StateChanged = new StateChanged { State = state };
        _ended.TrySetResult();
    }

    private void Broadcast(WatchJobResponse response)
    {
        response.Job = _record.Status.Clone();
        var now = Stopwatch.GetTimestamp();
        var final = IsFinal(_record.Status.State);
        foreach (var watcher in _watchers)
        {
            if (response.Progress is null || watcher.WantsProgress(response.Progress.Step, _record.Status.TotalSteps, now))
            {
                watcher.Send(response);
            }

            if (final)
            {
                watcher.Complete();
            }
        }

        if (final)
        {
            _watchers.Clear();
        }
    }
}
