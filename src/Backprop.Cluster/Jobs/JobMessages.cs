using Akka.Actor;
using Backprop.Core.Metrics;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Cluster.Jobs;

/// <summary>Queue <paramref name="Job"/>; its events go to <paramref name="Listener"/>. Answered by <see cref="JobAccepted"/>.</summary>
public sealed record SubmitTrainingJob(TrainingJob Job, IActorRef Listener);

/// <summary>The job is queued.</summary>
public sealed record JobAccepted(string JobId);

/// <summary>Stop job <paramref name="JobId"/>, queued or running. Answered by <see cref="JobCancelAnswered"/>; the listener then gets <see cref="JobCancelled"/>.</summary>
public sealed record CancelTrainingJob(string JobId, string Reason);

/// <summary>Answer to <see cref="CancelTrainingJob"/>: <paramref name="Found"/> is false when the job manager holds no such job (it ended, or never came).</summary>
public sealed record JobCancelAnswered(string JobId, bool Found);

/// <summary>Something that happened to a job, sent to its listener.</summary>
public interface IJobEvent
{
    /// <summary>The job it happened to.</summary>
    string JobId { get; }
}

/// <summary>The last event of a job: it succeeded, failed or was cancelled.</summary>
public interface IJobOutcome : IJobEvent;

/// <summary>The job left the queue: its coordinator starts looking for workers.</summary>
public sealed record JobStarted(string JobId) : IJobEvent;

/// <summary>
/// Optimizer step <paramref name="Step"/> (0-based, over the whole run) finished; <paramref name="Progress"/> places it in its
/// epoch. <paramref name="SliceOwners"/> workers reduced its gradient sums among them (0: the coordinator did).
/// </summary>
public sealed record JobStepCompleted(string JobId, long Step, BatchProgress Progress, int ActiveWorkers, int SliceOwners = 0) : IJobEvent;

/// <summary>
/// <paramref name="Worker"/> owed <paramref name="Blocks"/> blocks of step <paramref name="Step"/> for <paramref name="Waited"/>,
/// past its <paramref name="Deadline"/>: they were sent to other workers as well, and the first result of each counts.
/// </summary>
public sealed record JobWorkerSlow(string JobId, string Worker, long Step, TimeSpan Waited, TimeSpan Deadline, int Blocks) : IJobEvent;

/// <summary>The job's coordinator took a checkpoint; storing it lets a restarted coordinator continue from there.</summary>
public sealed record JobCheckpointed(string JobId, JobCheckpoint Checkpoint) : IJobEvent;

/// <summary>An epoch finished.</summary>
public sealed record JobEpochCompleted(string JobId, EpochReport Report) : IJobEvent;

/// <summary>A worker started or stopped taking part in the job.</summary>
public sealed record JobWorkerChanged(string JobId, string Worker, bool Joined, int ActiveWorkers, string? Reason) : IJobEvent;

/// <summary>
/// The job cannot go on until more workers can take blocks: <paramref name="ReadyWorkers"/> can, <paramref name="NeededWorkers"/>
/// are needed (<c>MinWorkers</c> before the first step, then one). Sent when the job starts waiting, at its start included;
/// it has stopped waiting once <see cref="JobWorkerChanged.ActiveWorkers"/> reaches <paramref name="NeededWorkers"/> or a step completes.
/// </summary>
public sealed record JobWaitingForWorkers(string JobId, long Step, int ReadyWorkers, int NeededWorkers) : IJobEvent;

/// <summary>
/// Step <paramref name="Step"/> went <paramref name="Waited"/> without a block arriving although workers were there: θ and its
/// outstanding blocks were sent again. <paramref name="Outstanding"/> names the blocks and the workers that owed them.
/// If another such wait follows, the job fails.
/// </summary>
public sealed record JobStepStalled(string JobId, long Step, TimeSpan Waited, string Outstanding) : IJobEvent;

/// <summary>The job trained every epoch, or stopped early; <paramref name="Network"/> holds the final weights (with early stopping, the best epoch's).</summary>
/// <param name="JobId">The job.</param>
/// <param name="Network">The weights the job keeps.</param>
/// <param name="Metrics">How they do on the job's test data (its validation split when it has one); null without such data.</param>
public sealed record JobSucceeded(string JobId, Network Network, ModelMetrics? Metrics = null) : IJobOutcome;

/// <summary>The job stopped; <paramref name="Reason"/> says why.</summary>
public sealed record JobFailed(string JobId, string Reason) : IJobOutcome;

/// <summary>The job was cancelled (<see cref="CancelTrainingJob"/>) before it finished.</summary>
public sealed record JobCancelled(string JobId, string Reason) : IJobOutcome;
