using Akka.Actor;
using Akka.TestKit;
using Backprop.Cluster.Transfer;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>
/// A <see cref="TestProbe"/> standing in for a job's gradient worker: the coordinator finds it, it joins, and it
/// answers blocks with zero sums (their values do not matter to the protocol, only their checksums) when told.
/// </summary>
internal sealed class FakeWorker(TestProbe probe, IActorRef coordinator, string jobId, int parameterCount)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private long _nextTransferId;

    public TestProbe Probe { get; } = probe;

    /// <summary>The id the coordinator knows it by (its actor path).</summary>
    public string Id => Probe.Ref.Path.ToString();

    /// <summary>
    /// The coordinator finds the worker (as after Identify); it joins with the dataset at hand, offering a tensor link at
    /// <paramref name="tensorEndpoint"/> ("host:port"; empty: none).
    /// </summary>
    public void Join(string tensorEndpoint = "")
    {
        coordinator.Tell(new ActorIdentity(Id, Probe.Ref));
        Probe.ExpectMsg<JoinJob>(Wait);
        coordinator.Tell(new JobJoined { JobId = jobId, DatasetReady = true, Threads = 1, TensorEndpoint = tensorEndpoint }, Probe.Ref);
    }

    /// <summary>The next blocks the worker is asked to compute, skipping the θ that comes before them.</summary>
    public ComputeGradients ExpectBlocks(TimeSpan? within = null) => ExpectSkippingWeights<ComputeGradients>(within ?? Wait);

    /// <summary>The next message that is not part of θ (chunks or <see cref="WeightsUpdate"/>).</summary>
    public T ExpectSkippingWeights<T>(TimeSpan within)
    {
        while (true)
        {
            var message = Probe.ReceiveOne(within) ?? throw new Xunit.Sdk.XunitException($"{Id} got no {typeof(T).Name} within {within}");
            if (message is T expected)
            {
                return expected;
            }

            if (message is not (TensorChunk or WeightsUpdate))
            {
                throw new Xunit.Sdk.XunitException($"{Id} expected {typeof(T).Name}, got {message}");
            }
        }
    }

    /// <summary>Sends every block of <paramref name="compute"/> back, computed, with every sum <paramref name="sum"/>.</summary>
    public void Answer(ComputeGradients compute, float sum = 0)
    {
        foreach (var shard in compute.Shards)
        {
            Answer(compute.Step, shard, sum);
        }
    }

    /// <summary>Sends <paramref name="shard"/>'s sums (each <paramref name="sum"/>) back as remoting chunks, as a worker without a tensor link does.</summary>
    public void Answer(long step, Shard shard, float sum = 0)
    {
        var sums = new float[parameterCount];
        Array.Fill(sums, sum);
        var transferId = _nextTransferId++;
        var chunks = TensorChunks.Split(jobId, transferId, sums, 64 * 1024);
        foreach (var chunk in chunks)
        {
            coordinator.Tell(chunk, Probe.Ref);
        }

        coordinator.Tell(
            new GradientsComputed
            {
                JobId = jobId,
                Step = step,
                FirstLeaf = shard.FirstLeaf,
                EndLeaf = shard.EndLeaf,
                SampleCount = shard.SampleIndices.Count,
                ComputeSeconds = 0.001,
                TransferId = transferId,
                ChunkCount = chunks.Count,
                Checksum = TensorChecksum.Of(sums),
            },
            Probe.Ref);
    }
}
