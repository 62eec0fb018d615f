using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Cluster.Tests.Transfer;
using Backprop.Cluster.Transfer;
using Backprop.Core.Model;
using ComputeGradients = Backprop.Protocol.V1.ComputeGradients;
using JobJoined = Backprop.Protocol.V1.JobJoined;
using JoinJob = Backprop.Protocol.V1.JoinJob;
using LeaveJob = Backprop.Protocol.V1.LeaveJob;
using WeightsUpdate = Backprop.Protocol.V1.WeightsUpdate;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>
/// A <see cref="TrainingCoordinator"/> with direct tensor links to peers that stall: its thread never waits on them.
/// A test probe stands in for the worker actor, a loopback socket for the worker's end of the link.
/// </summary>
public sealed class TrainingCoordinatorLinkTests() : TestKit(ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }))
{
    private const string JobId = "linked-job";

    /// <summary>8,016,001 parameters: θ (32 MB) is far more than loopback's socket buffers hold, so its write stalls on a peer that does not read.</summary>
    private static readonly NetworkSpec LargeSpec = NetworkSpec.Create(2, [4000, 2000], 1, Activation.Tanh, Activation.Sigmoid);

    private static readonly NetworkSpec SmallSpec = NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the coordinator may take to answer while a link stalls. An idle actor answers in milliseconds (2.7–7.1 ms
    /// measured), a blocked one only after the stall (the 5 s connect timeout, or never for a write); the margin is for
    /// the rest of the test suite running on the same two cores.
    /// </summary>
    private static readonly TimeSpan Responsive = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task WeightsSend_PeerNeverReads_CoordinatorKeepsAnsweringAndDropsTheWorkerWithinTheSendTimeout()
    {
        using var peer = new SilentPeer();
        var sendTimeout = TimeSpan.FromSeconds(1);
        var (coordinator, listener, _) = Start(LargeSpec, sendTimeout);
        var worker = CreateTestProbe();
        Join(coordinator, worker, peer.Endpoint, LargeSpec);
        worker.FishForMessage<ComputeGradients>(_ => true, Wait);
        _ = await peer.Accepted.WaitAsync(Wait);
        var clock = Stopwatch.StartNew();

        // θ's write stalls on the link's thread; the coordinator answers every few milliseconds until the link fails.
        var slowestAnswer = TimeSpan.Zero;
        JobWorkerChanged? dropped = null;
        while (dropped is null && clock.Elapsed < Wait)
        {
            var asked = Stopwatch.StartNew();
            coordinator.Tell(new Identify(asked), TestActor);
            ExpectMsg<ActorIdentity>(Responsive);
            slowestAnswer = asked.Elapsed > slowestAnswer ? asked.Elapsed : slowestAnswer;
            if (listener.ReceiveOne(TimeSpan.FromMilliseconds(20)) is JobWorkerChanged { Joined: false } changed)
            {
                dropped = changed;
            }
        }

        Assert.NotNull(dropped);
        Assert.InRange(clock.Elapsed, sendTimeout - TimeSpan.FromMilliseconds(100), sendTimeout + TimeSpan.FromSeconds(3));
        Assert.Contains("was not sent within 00:00:01", dropped.Reason ?? "");
        Assert.True(slowestAnswer < Responsive, $"the coordinator took {slowestAnswer} to answer");
        Console.WriteLine($"stalled link: dropped after {clock.Elapsed.TotalMilliseconds:F0} ms, slowest answer meanwhile {slowestAnswer.TotalMilliseconds:F1} ms");
        worker.FishForMessage<LeaveJob>(_ => true, Wait);
    }

    [Fact]
    public void LinkOpen_EndpointBlackholed_CoordinatorAnswersAndTrainsOthersMeanwhile_ThenTheWorkerJoinsByRemoting()
    {
        using var blackhole = new Blackhole();
        var (coordinator, listener, _) = Start(SmallSpec, TimeSpan.FromSeconds(30));
        var linked = CreateTestProbe();
        var plain = CreateTestProbe();
        var clock = Stopwatch.StartNew();
        Join(coordinator, linked, blackhole.Endpoint, SmallSpec);

        var asked = Stopwatch.StartNew();
        coordinator.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>(Responsive);
        var answeredAfter = asked.Elapsed;
        Join(coordinator, plain, endpoint: "", SmallSpec);
        var plainBlocks = plain.FishForMessage<ComputeGradients>(_ => true, Wait);
        var plainJoinedAfter = clock.Elapsed;
        // The blackholed worker is ready once the connect gives up, and from the next step θ reaches it as remoting chunks.
        listener.FishForMessage<JobWorkerChanged>(c => c.Joined && c.Worker == linked.Ref.Path.ToString(), WorkerLinks.ConnectTimeout + Wait);
        var linkedJoinedAfter = clock.Elapsed;
        new FakeWorker(plain, coordinator, JobId, SmallSpec.ParameterCount).Answer(plainBlocks);
        var weights = linked.FishForMessage<WeightsUpdate>(_ => true, Wait);

        Assert.True(answeredAfter < Responsive, $"the coordinator took {answeredAfter} to answer");
        Assert.True(plainJoinedAfter < linkedJoinedAfter, $"the other worker got blocks after {plainJoinedAfter}, not before the blackholed one joined ({linkedJoinedAfter})");
        Assert.Equal(0, plainBlocks.Step);
        Assert.True(linkedJoinedAfter >= WorkerLinks.ConnectTimeout - TimeSpan.FromMilliseconds(100), $"the blackholed worker joined after {linkedJoinedAfter}");
        Assert.Equal(1, weights.Version);
        Console.WriteLine($"blackholed link: coordinator answered after {answeredAfter.TotalMilliseconds:F1} ms, another worker computed after {plainJoinedAfter.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task WeightsSend_OptimizerStepsWhileTheWriteIsUnderWay_PeerReadsTheSnapshotOfEachStep()
    {
        using var peer = new SilentPeer();
        var (coordinator, _, initial) = Start(LargeSpec, TimeSpan.FromSeconds(30));
        var worker = CreateTestProbe();
        Join(coordinator, worker, peer.Endpoint, LargeSpec);
        var step0 = worker.FishForMessage<ComputeGradients>(_ => true, Wait);
        var stream = (await peer.Accepted.WaitAsync(Wait)).GetStream();

        // θ_0 is still being written (the peer has not read) when the optimizer changes the parameters for step 1.
        new FakeWorker(worker, coordinator, JobId, LargeSpec.ParameterCount).Answer(step0, sum: 1);
        var step1 = worker.FishForMessage<ComputeGradients>(_ => true, Wait);
        Assert.Equal(1, step1.Step);
        Assert.Equal((JobId, ""), await TensorFrame.ReadHandshakeAsync(stream, CancellationToken.None));
        var (header0, theta0) = ReadFrame(stream);
        var (header1, theta1) = ReadFrame(stream);

        Assert.Equal(0, header0.Step);
        Assert.Equal(initial, theta0);
        Assert.Equal(1, header1.Step);
        Assert.NotEqual(initial, theta1);
        coordinator.Tell(new CancelTrainingJob(JobId, "done"));
    }

    private (IActorRef Coordinator, TestProbe Listener, float[] Initial) Start(NetworkSpec spec, TimeSpan sendTimeout)
    {
        var job = ProbedJob.Create(JobId, spec);
        var initial = (float[])job.Network.Parameters.Clone();
        var listener = CreateTestProbe();
        var coordinator = Sys.ActorOf(TrainingCoordinator.Props(job, listener, new ClusterOptions { Tls = { Enabled = false }, TensorSendTimeout = sendTimeout }));
        return (coordinator, listener, initial);
    }

    /// <summary>The coordinator finds <paramref name="worker"/>, which joins offering a tensor link at <paramref name="endpoint"/> (empty: none).</summary>
    private static void Join(IActorRef coordinator, TestProbe worker, string endpoint, NetworkSpec spec) =>
        new FakeWorker(worker, coordinator, JobId, spec.ParameterCount).Join(endpoint);

    private static (TensorFrameHeader Header, float[] Values) ReadFrame(Stream stream)
    {
        Assert.True(TensorFrame.TryReadHeader(stream, LargeSpec.ParameterCount, out var header));
        var values = new float[header.ValueCount];
        TensorFrame.ReadValues(stream, header, values);
        return (header, values);
    }
}
