using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Core.Optimizers;
using Backprop.Core.Tests.Data;
using Backprop.Core.Training;
using Backprop.Protocol.V1;
using Backprop.Server.Jobs;
using Backprop.Server.Storage;
using Backprop.Server.Tests.Trainer;
using Backprop.Server.Trainer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backprop.Server.Tests.Jobs;

/// <summary>The job service over a real data volume, with a job manager that the test controls.</summary>
public sealed class JobServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TrainerOptions _options;
    private readonly DataRoot _root;
    private readonly JobStore _store;
    private readonly DatasetResolver _datasets;
    private readonly ActorSystem _system = ActorSystem.Create("job-service-tests");
    private readonly ConcurrentQueue<string> _accepted = new();

    public JobServiceTests()
    {
        _options = new TrainerOptions { DataRoot = _directory.Path };
        _root = new DataRoot(_directory.Path);
        _store = new JobStore(_root);
        _datasets = new DatasetResolver(_root, new UploadStore(_root, _options.MaxUploadBytes));
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _directory.Dispose();
    }

    [Fact]
    public async Task RecoverAsync_FirstStoredJobNotAccepted_EveryJobListedAndTheOthersQueued()
    {
        _store.Save(QueuedRecord("job-1", submittedUnixMs: 1));
        _store.Save(QueuedRecord("job-2", submittedUnixMs: 2));
        _store.Save(QueuedRecord("job-3", submittedUnixMs: 3));
        var service = Service(notAccepted: "job-1");

        await service.RecoverAsync(CancellationToken.None);

        var listed = service.List(JobState.Unspecified);
        Assert.Equal(["job-1", "job-2", "job-3"], listed.Select(job => job.JobId));
        Assert.Equal([JobState.Failed, JobState.Queued, JobState.Queued], listed.Select(job => job.State));
        Assert.Contains("no job manager accepted the job in time", listed[0].Reason);
        Assert.Equal(["job-2", "job-3"], _accepted);
        Assert.Equal(JobState.Failed, _store.LoadAll()[0].Status.State);
    }

    [Fact]
    public async Task RecoverAsync_NodeStopsBeforeTheJobManagerAnswers_RecordsStayQueuedForTheNextStart()
    {
        _store.Save(QueuedRecord("job-1", submittedUnixMs: 1));
        _store.Save(QueuedRecord("job-2", submittedUnixMs: 2));
        var service = Service(unanswered: "job-1");
        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.RecoverAsync(stopping.Token));

        Assert.Equal([JobState.Queued, JobState.Queued], _store.LoadAll().Select(record => record.Status.State));
        Assert.Equal([JobState.Queued, JobState.Queued], service.List(JobState.Unspecified).Select(job => job.State));
        Assert.Empty(_accepted);
    }

    [Fact]
    public async Task RecoverAsync_JobCheckpointedInItsThirdEpoch_StatusShowsTheCheckpointsStepEpochAndLoss()
    {
        var record = QueuedRecord("job-1", submittedUnixMs: 1);
        record.Status.State = JobState.Running;
        _store.Save(record);
        var (parameterCount, batchesPerEpoch) = NetworkAndEpochOf(record.Request);
        var step = (2L * batchesPerEpoch) + 5;
        var checkpoint = new JobCheckpoint(step, new float[parameterCount], new OptimizerState(step, []), EpochLossSum: 3.0, EpochSamples: 40);
        _store.SaveCheckpoint(CheckpointConverter.CheckpointToProto(record.JobId, checkpoint));
        var service = Service();

        await service.RecoverAsync(CancellationToken.None);

        var status = service.Get(record.JobId);
        Assert.Equal(JobState.Queued, status.State);
        Assert.Equal(step, status.Step);
        Assert.Equal(step, status.CheckpointStep);
        Assert.Equal(3, status.Epoch);
        Assert.Equal(3.0f / 40, status.TrainLoss);
        Assert.Equal(["job-1"], _accepted);
    }

    [Fact]
    public async Task CancelAsync_JobDoesNotEndWithinTheWait_AnswersWithItsStatus()
    {
        _store.Save(QueuedRecord("job-1", submittedUnixMs: 1));
        var service = Service();
        await service.RecoverAsync(CancellationToken.None);

        var status = await service.CancelAsync("job-1", CancellationToken.None);

        Assert.Equal("job-1", status.JobId);
        Assert.Equal(JobState.Queued, status.State);
    }

    // A cancelled job here never ends (the scripted job manager never says so), so the wait is short.
    private JobService Service(string? notAccepted = null, string? unanswered = null) =>
        new(_options, _store, new UploadStore(_root, _options.MaxUploadBytes), _datasets, Services(notAccepted, unanswered), NullLogger<JobService>.Instance)
        {
            CancelWait = TimeSpan.FromMilliseconds(200),
        };

    private ServiceProvider Services(string? notAccepted, string? unanswered)
    {
        var manager = _system.ActorOf(Props.Create(() => new ScriptedJobManager(notAccepted, unanswered, _accepted)));
        return new ServiceCollection()
            .AddSingleton(_system)
            .AddSingleton<IRequiredActor<JobManagerProxy>>(new FixedActor(manager))
            .BuildServiceProvider();
    }

    private (int ParameterCount, int BatchesPerEpoch) NetworkAndEpochOf(SubmitJobRequest request)
    {
        var read = JobRequestReader.Read(request, _options);
        var (data, _) = _datasets.Load(read.Dataset, read.Options.Seed);
        var network = JobNetworkFactory.Create(read, data.Train, _options);
        return (network.Spec.ParameterCount, new StepCursor(read.Options, data.Train.Count).BatchesPerEpoch);
    }

    private static JobRecord QueuedRecord(string jobId, long submittedUnixMs) => new()
    {
        JobId = jobId,
        Request = TestJobs.Request(TestJobs.Spirals, epochs: 5, batchSize: 8, name: jobId),
        Status = new JobStatus { JobId = jobId, Name = jobId, State = JobState.Queued, SubmittedUnixMs = submittedUnixMs },
    };

    /// <summary>
    /// Accepts every job but <c>notAccepted</c> and <c>unanswered</c>, and finds every job it is asked to cancel but
    /// never ends it. The job it does not accept gets the <see cref="AskTimeoutException"/> that a job manager too slow
    /// to answer would cause, at once instead of after <see cref="JobSubmission.AcceptTimeout"/>; the unanswered one
    /// gets nothing.
    /// </summary>
    private sealed class ScriptedJobManager : ReceiveActor
    {
        public ScriptedJobManager(string? notAccepted, string? unanswered, ConcurrentQueue<string> accepted)
        {
            Receive<SubmitTrainingJob>(submit =>
            {
                if (submit.Job.JobId == notAccepted)
                {
                    Sender.Tell(new Status.Failure(new AskTimeoutException("timed out")));
                    return;
                }

                if (submit.Job.JobId == unanswered)
                {
                    return;
                }

                accepted.Enqueue(submit.Job.JobId);
                Sender.Tell(new JobAccepted(submit.Job.JobId));
            });
            Receive<CancelTrainingJob>(cancel => Sender.Tell(new JobCancelAnswered(cancel.JobId, Found: true)));
        }
    }

    private sealed class FixedActor(IActorRef actor) : IRequiredActor<JobManagerProxy>
    {
        public IActorRef ActorRef => actor;

        public Task<IActorRef> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(actor);
    }
}
