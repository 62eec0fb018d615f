using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>
/// The coordinator node's jobs: validates and persists submissions, queues them on the job manager, follows
/// their events, and answers about them. A job's record reaches the data volume before its id is returned,
/// and again on every change of state; on start, <see cref="RecoverAsync"/> lists the stored jobs again and
/// queues the unfinished ones anew (from their first step: the run is reproducible, so the result is the same).
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
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, TrackedJob> _jobs = new();

    /// <inheritdoc />
    public async Task<string> SubmitAsync(SubmitJobRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
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
        var tracked = new TrackedJob(record, job.Options.BatchSize);
        _jobs[record.JobId] = tracked;
        logger.LogInformation("Job {JobId} accepted: {Steps} steps on {Samples} samples", record.JobId, record.Status.TotalSteps, job.Data.Train.Count);
        await EnqueueAsync(tracked, job, cancellation).ConfigureAwait(false);
        return record.JobId;
    }

    /// <summary>Lists the jobs stored on the data volume and queues again those that had not finished, in submission order.</summary>
    public async Task RecoverAsync(CancellationToken cancellation)
    {
        foreach (var stored in store.LoadAll())
        {
            if (TrackedJob.IsFinal(stored.Status.State))
            {
                _jobs[stored.JobId] = new TrackedJob(stored, Math.Max(stored.Request.Training?.BatchSize ?? 1, 1));
                continue;
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
                continue;
            }

            var tracked = new TrackedJob(stored, job.Options.BatchSize);
            _jobs[stored.JobId] = tracked;
            store.Save(stored);
            logger.LogInformation("Job {JobId} was unfinished when the coordinator stopped; queued again from its first step", stored.JobId);
            await EnqueueAsync(tracked, job, cancellation).ConfigureAwait(false);
        }
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
        var answer = await Manager.Ask<JobCancelAnswered>(new CancelTrainingJob(jobId, reason), JobSubmission.AcceptTimeout, cancellation).ConfigureAwait(false);
        if (!answer.Found)
        {
            // Not (yet) on the job manager: it is ours alone to end. EnqueueAsync cancels it there if it arrives later.
            Persist(job, new JobCancelled(jobId, reason));
        }

        await job.Ended.WaitAsync(CancelWait, cancellation).ConfigureAwait(false);
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
        var network = TrainedModelOf(job);
        return new GetModelResponse { Model = ModelConverter.ModelToProto(network), Step = job.Status().TotalSteps };
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

    private Core.Model.Network TrainedModelOf(TrackedJob job)
    {
        var status = job.Status();
        if (status.State != JobState.Succeeded)
        {
            throw new RequestRejectedException(Rejection.FailedPrecondition, "job_id", $"job {job.Id} is {Describe(status.State)}; a model is ready once it succeeds");
        }

        return job.Model ??= ModelConverter.ModelFrom(
            store.LoadModel(job.Id) ?? throw new RequestRejectedException(Rejection.NotFound, "job_id", $"the model of job {job.Id} is missing from the data volume"),
            "model");
    }

    /// <summary>Hands the job to the job manager and follows its events in the background.</summary>
    private async Task EnqueueAsync(TrackedJob tracked, TrainingJob job, CancellationToken cancellation)
    {
        var system = services.GetRequiredService<ActorSystem>();
        ChannelReader<IJobEvent> events;
        try
        {
            events = await JobSubmission.SubmitAsync(system, Manager, job, cancellation).ConfigureAwait(false);
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
                if (jobEvent is JobSucceeded succeeded)
                {
                    // The model first: a record that says "succeeded" always has its model beside it.
                    store.SaveModel(tracked.Id, ModelConverter.ModelToProto(succeeded.Network));
                }

                Persist(tracked, jobEvent);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following job {JobId} failed", tracked.Id);
            Persist(tracked, new JobFailed(tracked.Id, $"the coordinator lost track of the job: {e.Message}"));
        }
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
