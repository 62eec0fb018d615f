using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>
/// The coordinator node's jobs: validates and persists submissions, queues them on the job manager, follows
/// their events, and answers about them. A job's record reaches the data volume before its id is returned,
/// and again on every change of state, and each checkpoint the job's coordinator takes is stored beside it. On
/// start, <see cref="RecoverAsync"/> lists the stored jobs again and queues the unfinished ones anew, each from its
/// last checkpoint (or its first step): the run continues exactly, so the result is the same as without the restart.
/// </summary>
internal sealed class JobService(
    TrainerOptions options,
    JobStore store,
    UploadStore uploads,
    DatasetResolver datasets,
    IServiceProvider services,
    ILogger<JobService> logger) : IJobService
{
    /// <summary>How long a cancelled job may take to stop before CancelJob answers with its status anyway.</summary>
    internal TimeSpan CancelWait { get; init; } = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, TrackedJob> _jobs = new();

    /// <inheritdoc />
    public async Task<string> SubmitAsync(SubmitJobRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureJobManagerIsHere();
        var queued = _jobs.Values.Count(job => job.Status().State == JobState.Queued);
        if (queued >= options.MaxQueuedJobs)
        {
            throw new RequestRejectedException(
                Rejection.ResourceExhausted, "job", $"{queued} jobs are waiting, the limit is {options.MaxQueuedJobs} (setting Trainer:MaxQueuedJobs); try again later");
        }

        var record = new JobRecord
        {
            JobId = NewJobId(),
            Request = request,
            Status = new JobStatus { Name = request.Name, State = JobState.Queued, SubmittedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
        };
        record.Status.JobId = record.JobId;
        var job = Prepare(record);
        store.Save(record);
        var tracked = new TrackedJob(record, job.Options.BatchSize, job.Network.Spec, Core.Model.ModelMetadata.Of(job.Data));
        _jobs[record.JobId] = tracked;
        logger.LogInformation("Job {JobId} accepted: {Steps} steps on {Samples} samples", record.JobId, record.Status.TotalSteps, job.Data.Train.Count);
        await EnqueueAsync(tracked, job, cancellation).ConfigureAwait(false);
        return record.JobId;
    }

    /// <summary>
    /// Lists the jobs stored on the data volume and queues again those that had not finished, in submission order,
    /// from their checkpoints. Every job is listed before any is queued, and a job the job manager does not accept
    /// fails alone: the jobs after it are still queued.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellation)
    {
        var unfinished = new List<(TrackedJob Tracked, TrainingJob Job)>();
        foreach (var stored in store.LoadAll())
        {
            if (Relist(stored) is { } resumable)
            {
                unfinished.Add(resumable);
            }
        }

        foreach (var (tracked, job) in unfinished)
        {
            if (tracked.Ended.IsCompleted)
            {
                // Cancelled by a client while it waited its turn here.
                continue;
            }

            logger.LogInformation(
                "Job {JobId} was unfinished when the coordinator stopped; queued again from step {Step}", tracked.Id, job.ResumeFrom?.Step ?? 0);
            try
            {
                await EnqueueAsync(tracked, job, cancellation, keepQueuedIfCancelled: true).ConfigureAwait(false);
            }
            catch (RequestRejectedException e)
            {
                // EnqueueAsync recorded the job as failed, with the reason; the others still get their turn.
                logger.LogError("Job {JobId} could not be queued again: {Reason}", tracked.Id, e.Message);
            }
        }
    }

    /// <summary>
    /// Lists a stored job again. Returns it with the training job to queue when it had not finished and can run
    /// again, its status restored to its checkpoint; null for a finished job, or one whose data is gone (failed).
    /// </summary>
    private (TrackedJob Tracked, TrainingJob Job)? Relist(JobRecord stored)
    {
        if (TrackedJob.IsFinal(stored.Status.State))
        {
            _jobs[stored.JobId] = new TrackedJob(stored, Math.Max(stored.Request.Training?.BatchSize ?? 1, 1));
            return null;
        }

        var status = stored.Status;
        stored.Status = new JobStatus { JobId = status.JobId, Name = status.Name, State = JobState.Queued, SubmittedUnixMs = status.SubmittedUnixMs };
        TrainingJob job;
        try
        {
            job = Prepare(stored);
        }
        catch (RequestRejectedException e)
        {
            // The data it named is gone (or a limit shrank): keep the job, failed, with the reason.
            var failed = new TrackedJob(stored, 1);
            _jobs[stored.JobId] = failed;
            Persist(failed, new JobFailed(stored.JobId, $"cannot restart after a coordinator restart: {e.Message}"));
            return null;
        }

        job = WithCheckpoint(job, stored);
        var tracked = new TrackedJob(stored, job.Options.BatchSize, job.Network.Spec, Core.Model.ModelMetadata.Of(job.Data));
        _jobs[stored.JobId] = tracked;
        store.Save(stored);
        return (tracked, job);
    }

    /// <inheritdoc />
    public Task<UploadedDataset> UploadAsync(IAsyncEnumerable<UploadDatasetRequest> messages, CancellationToken cancellation) =>
        uploads.ReceiveAsync(messages, cancellation);

    /// <inheritdoc />
    public JobStatus Get(string jobId) => Find(jobId).Status();

    /// <inheritdoc />
    public IReadOnlyList<JobStatus> List(JobState state)
    {
        if (!Enum.IsDefined(state))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "state", $"unknown job state {(int)state}");
        }

        return [.. _jobs.Values
            .Select(job => job.Status())
            .Where(status => state == JobState.Unspecified || status.State == state)
            .OrderBy(status => status.SubmittedUnixMs)
            .ThenBy(status => status.JobId, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellation)
    {
        var job = Find(jobId);
        var state = job.Status().State;
        if (TrackedJob.IsFinal(state))
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition, "job_id", $"job {jobId} has already ended ({Describe(state)})");
        }

        const string reason = "cancelled by a client";
        JobCancelAnswered answer;
        try
        {
            answer = await Manager.Ask<JobCancelAnswered>(new CancelTrainingJob(jobId, reason), JobSubmission.AcceptTimeout, cancellation).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new RequestRejectedException(Rejection.Unavailable, "job_id", $"the job manager did not answer within {JobSubmission.AcceptTimeout.TotalSeconds:0} s (is the cluster up?); cancel job {jobId} again");
        }

        if (!answer.Found)
        {
            // Not (yet) on the job manager: it is ours alone to end. EnqueueAsync cancels it there if it arrives later.
            Persist(job, new JobCancelled(jobId, reason));
        }

        try
        {
            await job.Ended.WaitAsync(CancelWait, cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The job manager has the cancel and the job's coordinator ends the job; until then the caller sees it unchanged.
            logger.LogWarning("Job {JobId} did not stop within {Seconds} s of its cancel; answering with its status", jobId, CancelWait.TotalSeconds);
        }

        return job.Status();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchJobResponse> WatchAsync(string jobId, int everySteps, [EnumeratorCancellation] CancellationToken cancellation)
    {
        if (everySteps < 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "every_steps", $"must be >= 0, got {everySteps}");
        }

        var job = Find(jobId);
        var watcher = job.Watch(everySteps);
        try
        {
            await foreach (var response in watcher.Events.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                yield return response;
            }
        }
        finally
        {
            job.Unwatch(watcher);
        }
    }

    /// <inheritdoc />
    public GetModelResponse GetModel(string jobId)
    {
        var job = Find(jobId);
        var status = job.Status();
        if (status.State != JobState.Succeeded && status.CheckpointStep > 0 && job.Spec is { } spec
            && LoadCheckpoint(job.Id, spec) is { } checkpoint)
        {
            var latest = new Core.Model.TrainedModel(new Core.Model.Network(spec, checkpoint.Parameters), job.Metadata);
            return new GetModelResponse { Model = ModelMetadataConverter.TrainedModelToProto(latest), Step = checkpoint.Step, Final = false };
        }

        return new GetModelResponse { Model = ModelMetadataConverter.TrainedModelToProto(TrainedModelOf(job)), Step = status.TotalSteps, Final = true };
    }

    /// <inheritdoc />
    public PredictResponse Predict(PredictRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ModelPredictor.Predict(TrainedModelOf(Find(request.JobId)), request, options.MaxPredictRows);
    }

    private IActorRef Manager => services.GetRequiredService<IRequiredActor<JobManagerProxy>>().ActorRef;

    private static string NewJobId() => $"job-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    private static string Describe(JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>
    /// Refuses a submission on a coordinator node that does not run the job manager singleton (the oldest coordinator
    /// does): jobs carry their loaded data to it as local objects, and this node's data volume keeps their records.
    /// </summary>
    private void EnsureJobManagerIsHere()
    {
        var cluster = Akka.Cluster.Cluster.Get(services.GetRequiredService<ActorSystem>());
        var oldest = cluster.State.Members
            .Where(member => member.Status == Akka.Cluster.MemberStatus.Up && member.HasRole(ClusterRoles.Coordinator))
            .OrderBy(member => member, Akka.Cluster.Member.AgeOrdering)
            .FirstOrDefault();
        if (oldest is not null && !oldest.Address.Equals(cluster.SelfAddress))
        {
            throw new RequestRejectedException(
                Rejection.FailedPrecondition, "job", $"this coordinator does not run the job manager; submit to the Trainer service of the coordinator at {oldest.Address.Host}");
        }
    }

    /// <summary>Checks the record's request and loads its data; sets the status's step and epoch totals.</summary>
    private TrainingJob Prepare(JobRecord record)
    {
        var request = JobRequestReader.Read(record.Request, options);
        var (data, source) = datasets.Load(request.Dataset, request.Options.Seed);
        var network = JobNetworkFactory.Create(request, data.Train, options);
        record.Status.TotalSteps = new StepCursor(request.Options, data.Train.Count).TotalSteps;
        record.Status.Epochs = request.Options.Epochs;
        return new TrainingJob(record.JobId, network, data, request.Options, source);
    }

    /// <summary><paramref name="job"/> resumed from the record's stored checkpoint, if it has a usable one.</summary>
    private TrainingJob WithCheckpoint(TrainingJob job, JobRecord record)
    {
        if (LoadCheckpoint(record.JobId, job.Network.Spec) is not { } checkpoint)
        {
            return job;
        }

        try
        {
            // The same check the coordinator makes, here where a bad checkpoint can still be skipped.
            Optimizer.Create(job.Options.Optimizer, job.Network.Spec.ParameterCount).RestoreState(checkpoint.Optimizer);
        }
        catch (ArgumentException e)
        {
            logger.LogWarning(e, "The checkpoint of job {JobId} does not fit its optimizer; the job starts from its first step", record.JobId);
            return job;
        }

        TrackedJob.RestoreProgress(record.Status, checkpoint, new StepCursor(job.Options, job.Data.Train.Count).BatchesPerEpoch);
        return job with { ResumeFrom = checkpoint };
    }

    /// <summary>The stored checkpoint of a job, or null when it has none or it cannot be used (logged).</summary>
    private JobCheckpoint? LoadCheckpoint(string jobId, Core.Model.NetworkSpec spec)
    {
        try
        {
            return store.LoadCheckpoint(jobId) is { } stored ? CheckpointConverter.CheckpointFrom(stored, spec) : null;
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            logger.LogWarning(e, "The checkpoint of job {JobId} cannot be used; the job starts from its first step", jobId);
            return null;
        }
    }

    private TrackedJob Find(string jobId)
    {
        if (string.IsNullOrEmpty(jobId))
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "job_id", "empty");
        }

        return _jobs.TryGetValue(jobId, out var job)
            ? job
            : throw new RequestRejectedException(Rejection.NotFound, "job_id", $"no job '{jobId}'");
    }

    private Core.Model.TrainedModel TrainedModelOf(TrackedJob job)
    {
        var status = job.Status();
        if (status.State != JobState.Succeeded)
        {
            throw new RequestRejectedException(
                Rejection.FailedPrecondition, "job_id", $"job {job.Id} is {Describe(status.State)} and has no checkpoint; a model is ready once it succeeds");
        }

        return job.Model ??= ModelMetadataConverter.TrainedModelFrom(
            store.LoadModel(job.Id) ?? throw new RequestRejectedException(Rejection.NotFound, "job_id", $"the model of job {job.Id} is missing from the data volume"),
            "model");
    }

    /// <summary>
    /// Hands the job to the job manager and follows its events in the background. A job the job manager does not
    /// accept in time fails, and so does one whose hand-over <paramref name="cancellation"/> cancels, unless
    /// <paramref name="keepQueuedIfCancelled"/>: recovery is cancelled only by the node's stop, and its next start
    /// queues the job again.
    /// </summary>
    private async Task EnqueueAsync(TrackedJob tracked, TrainingJob job, CancellationToken cancellation, bool keepQueuedIfCancelled = false)
    {
        var system = services.GetRequiredService<ActorSystem>();
        ChannelReader<IJobEvent> events;
        try
        {
            events = await JobSubmission.SubmitAsync(system, Manager, job, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (keepQueuedIfCancelled && cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            Persist(tracked, new JobFailed(tracked.Id, "no job manager accepted the job in time; submit it again"));
            throw new RequestRejectedException(Rejection.Unavailable, "job", "no job manager accepted the job in time (is the cluster up?)");
        }

        if (tracked.Ended.IsCompleted)
        {
            // Cancelled while the job manager was accepting it.
            Manager.Tell(new CancelTrainingJob(tracked.Id, tracked.Status().Reason));
        }

        _ = FollowAsync(tracked, events);
    }

    private async Task FollowAsync(TrackedJob tracked, ChannelReader<IJobEvent> events)
    {
        try
        {
            await foreach (var jobEvent in events.ReadAllAsync().ConfigureAwait(false))
            {
                Persist(tracked, StoreFilesOf(tracked, jobEvent));
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following job {JobId} failed", tracked.Id);
            Persist(tracked, new JobFailed(tracked.Id, $"the coordinator lost track of the job: {e.Message}"));
        }
    }

    /// <summary>
    /// Writes what <paramref name="jobEvent"/> brings to the data volume: a checkpoint, or the model (before the record
    /// says "succeeded", so such a record always has its model). Returns the event to apply: a model that cannot be
    /// written fails the job; a checkpoint that cannot be written is only logged (the job goes on, and the next one may).
    /// </summary>
    private IJobEvent StoreFilesOf(TrackedJob tracked, IJobEvent jobEvent)
    {
        try
        {
            switch (jobEvent)
            {
                case JobCheckpointed checkpointed:
                    store.SaveCheckpoint(CheckpointConverter.CheckpointToProto(tracked.Id, checkpointed.Checkpoint));
                    break;
                case JobSucceeded succeeded:
                    store.SaveModel(tracked.Id, ModelMetadataConverter.TrainedModelToProto(new Core.Model.TrainedModel(succeeded.Network, tracked.Metadata)));
                    store.DeleteCheckpoint(tracked.Id);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError(e, "Writing a file of job {JobId} failed", tracked.Id);
            if (jobEvent is JobSucceeded)
            {
                return new JobFailed(tracked.Id, $"the trained model could not be stored on the data volume: {e.Message}");
            }
        }

        return jobEvent;
    }

    /// <summary>Applies <paramref name="jobEvent"/> and writes the record when its state changed.</summary>
    private void Persist(TrackedJob tracked, IJobEvent jobEvent)
    {
        if (!tracked.Apply(jobEvent))
        {
            return;
        }

        try
        {
            store.Save(tracked.Record());
        }
        catch (IOException e)
        {
            logger.LogError(e, "Writing the record of job {JobId} failed", tracked.Id);
        }

        var status = tracked.Status();
        logger.LogInformation("Job {JobId} {State}{Reason}", tracked.Id, Describe(status.State), status.Reason.Length > 0 ? $": {status.Reason}" : "");
    }
}
