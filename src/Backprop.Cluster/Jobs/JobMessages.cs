using Akka.Actor;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Cluster.Jobs;

/// <summary>Queue <paramref name="Job"/>; its events go to <paramref name="Listener"/>. Answered by <see cref="JobAccepted"/>.</summary>
public sealed record SubmitTrainingJob(TrainingJob Job, IActorRef Listener);

/// <summary>The job is queued.</summary>
public sealed record JobAccepted(string JobId);

/// <summary>Something that happened to a job, sent to its listener.</summary>
public interface IJobEvent
{
    /// <summary>The job it happened to.</summary>
    string JobId { get; }
}

/// <summary>Optimizer step <paramref name="Step"/> (0-based, over the whole run) finished; <paramref name="Progress"/> places it in its epoch.</summary>
public sealed record JobStepCompleted(string JobId, long Step, BatchProgress Progress, int ActiveWorkers) : IJobEvent;

/// <summary>An epoch finished.</summary>
public sealed record JobEpochCompleted(string JobId, EpochReport Report) : IJobEvent;

/// <summary>A worker started or stopped taking part in the job.</summary>
public sealed record JobWorkerChanged(string JobId, string Worker, bool Joined, int ActiveWorkers, string? Reason) : IJobEvent;

/// <summary>The job trained every epoch; <paramref name="Network"/> holds the final weights.</summary>
public sealed record JobSucceeded(string JobId, Network Network) : IJobEvent;

/// <summary>The job stopped; <paramref name="Reason"/> says why.</summary>
public sealed record JobFailed(string JobId, string Reason) : IJobEvent;
