using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Core.Model;
using LeaveJob = Backprop.Protocol.V1.LeaveJob;
using ShardFailed = Backprop.Protocol.V1.ShardFailed;
using WeightsUpdate = Backprop.Protocol.V1.WeightsUpdate;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>
/// Fault interactions of one <see cref="TrainingCoordinator"/> with test probes standing in for its workers, on a
/// cluster-enabled system that joins no cluster (so no real worker ever turns up).
/// </summary>
public sealed class TrainingCoordinatorFaultTests() : TestKit(ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }))
{
    private const string JobId = "job-under-test";

    private static readonly NetworkSpec Spec = NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void Step_LaggardCatchesUpAfterTheOtherWorkerIsLost_TakesOverTheLostWorkersBlocks()
    {
        var (coordinator, listener, a, b) = StartWithTwoWorkers();
        // Step 0 answered by both, so both have a measured pace.
        a.Answer(a.ExpectBlocks());
        b.Answer(b.ExpectBlocks());
        Next<JobStepCompleted>(listener);
        var stepOfA = a.ExpectBlocks();
        var stepOfB = b.ExpectBlocks();

        // Neither answers step 1: one is flagged slow first, and its blocks go to the other as well.
        var slow = Next<JobWorkerSlow>(listener);
        var (laggard, other, laggardsOwn, othersOwn) = slow.Worker == a.Id ? (a, b, stepOfA, stepOfB) : (b, a, stepOfB, stepOfA);
        other.ExpectBlocks();
        // The other worker dies owing its own blocks and the laggard's; no one can take them while the laggard lags.
        Sys.Stop(other.Probe.Ref);
        Next<JobWorkerChanged>(listener, changed => !changed.Joined);
        laggard.Answer(laggardsOwn);

        var rescued = laggard.ExpectBlocks();

        Assert.Equal(othersOwn.Step, rescued.Step);
        Assert.Equal(othersOwn.Shards.Select(s => (s.FirstLeaf, s.EndLeaf)), rescued.Shards.Select(s => (s.FirstLeaf, s.EndLeaf)));
    }

    [Fact]
    public void Step_WorkerRejectsTheStepsWeights_IsDroppedAndItsBlocksMoveWhileTheJobGoesOn()
    {
        var (coordinator, listener, a, b) = StartWithTwoWorkers();
        var blocksOfA = a.ExpectBlocks();
        b.ExpectBlocks();

        // What a worker answers when a chunk of θ was lost on the way (remoting chunks).
        coordinator.Tell(new ShardFailed { JobId = JobId, Step = blocksOfA.Step, Reason = "weights of step 0 rejected: chunk 3 is missing" }, a.Probe.Ref);

        var moved = b.ExpectBlocks();
        Assert.Equal(blocksOfA.Shards.Select(s => (s.FirstLeaf, s.EndLeaf)), moved.Shards.Select(s => (s.FirstLeaf, s.EndLeaf)));
        var dropped = Next<JobWorkerChanged>(listener, changed => !changed.Joined);
        Assert.Equal(a.Id, dropped.Worker);
        Assert.Contains("chunk 3 is missing", dropped.Reason);
        a.Probe.FishForMessage<LeaveJob>(_ => true, Wait);
    }

    [Fact]
    public void Step_NoBlockArrivesForTheStallTimeout_IsSentAgainThenTheJobFailsNamingTheBlocksAndTheWorker()
    {
        var (coordinator, listener) = Start(minWorkers: 1, stallTimeout: TimeSpan.FromMilliseconds(300));
        var worker = Worker(coordinator);
        worker.Join();
        var blocks = worker.ExpectBlocks();

        var stalled = Next<JobStepStalled>(listener);
        var weightsAgain = worker.Probe.FishForMessage<WeightsUpdate>(_ => true, Wait);
        var blocksAgain = worker.ExpectBlocks();
        var failed = Next<JobFailed>(listener);

        Assert.Equal(blocks.Step, stalled.Step);
        Assert.Contains(worker.Id, stalled.Outstanding);
        Assert.Equal(blocks.Step, weightsAgain.Version);
        Assert.Equal(blocks.Shards.Select(s => s.FirstLeaf), blocksAgain.Shards.Select(s => s.FirstLeaf));
        Assert.Contains($"{worker.Id} (ready) owes leaves [0, 8)", failed.Reason);
        Assert.Contains("StallTimeout", failed.Reason);
    }

    [Fact]
    public void Job_FewerWorkersThanMinWorkersAndLaterNone_SaysItWaitsEachTime()
    {
        var (coordinator, listener) = Start(minWorkers: 2);
        var atStart = Next<JobWaitingForWorkers>(listener);
        var a = Worker(coordinator);
        var b = Worker(coordinator);
        a.Join();
        b.Join();
        a.ExpectBlocks();
        b.ExpectBlocks();

        Sys.Stop(a.Probe.Ref);
        Sys.Stop(b.Probe.Ref);

        var midStep = Next<JobWaitingForWorkers>(listener);
        Assert.Equal(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 0, NeededWorkers: 2), atStart);
        Assert.Equal(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 0, NeededWorkers: 1), midStep);
    }

    [Fact]
    public void Step_LateBlocksMovedToWorkersThatHadFinishedTheirShare_TheyAreNotFlaggedSlowForTheIdleGap()
    {
        var (coordinator, listener) = Start(minWorkers: 3);
        FakeWorker[] workers = [Worker(coordinator), Worker(coordinator), Worker(coordinator)];
        foreach (var worker in workers)
        {
            worker.Join();
        }

        // Step 0 answered by all, so all have a measured pace.
        var firstStep = workers.Select(worker => worker.ExpectBlocks()).ToList();
        foreach (var (worker, blocks) in workers.Zip(firstStep))
        {
            worker.Answer(blocks);
        }

        Next<JobStepCompleted>(listener);
        // Step 1: two answer at once and then wait idle; the third never answers, so after the straggler deadline
        // (at least StragglerPolicy.MinimumWait) its blocks go to the other two as well.
        var secondStep = workers.Select(worker => worker.ExpectBlocks()).ToList();
        workers[0].Answer(secondStep[0]);
        workers[1].Answer(secondStep[1]);
        var slow = Next<JobWorkerSlow>(listener);

        // Timed from the step's start, the two would be late at once (their idle gap is past the minimum deadline).
        listener.ExpectNoMsg(StragglerPolicy.MinimumWait * 0.75);
        Assert.Equal(workers[2].Id, slow.Worker);
    }

    private (IActorRef Coordinator, TestProbe Listener, FakeWorker A, FakeWorker B) StartWithTwoWorkers()
    {
        var (coordinator, listener) = Start(minWorkers: 2);
        var a = Worker(coordinator);
        var b = Worker(coordinator);
        a.Join();
        b.Join();
        return (coordinator, listener, a, b);
    }

    private (IActorRef Coordinator, TestProbe Listener) Start(int minWorkers, TimeSpan? stallTimeout = null)
    {
        var job = ProbedJob.Create(JobId, Spec);
        var listener = CreateTestProbe();
        var coordinator = Sys.ActorOf(TrainingCoordinator.Props(job, listener, new ClusterOptions
        {
            Tls = { Enabled = false },
            MinWorkers = minWorkers,
            DirectTensorLinks = false,
            StallTimeout = stallTimeout ?? new ClusterOptions().StallTimeout,
        }));
        return (coordinator, listener);
    }

    private FakeWorker Worker(IActorRef coordinator) => new(CreateTestProbe(), coordinator, JobId, Spec.ParameterCount);

    /// <summary>The next event of type <typeparamref name="T"/> (that <paramref name="match"/>es), skipping the others.</summary>
    private static T Next<T>(TestProbe listener, Func<T, bool>? match = null)
    {
        while (true)
        {
            var message = listener.ReceiveOne(Wait) ?? throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} within {Wait}");
            if (message is JobFailed failed && typeof(T) != typeof(JobFailed))
            {
                throw new Xunit.Sdk.XunitException($"the job failed: {failed.Reason}");
            }

            if (message is T expected && (match is null || match(expected)))
            {
                return expected;
            }
        }
    }
}
