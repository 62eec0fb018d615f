using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Transfer;
using Backprop.Core.Training;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Serialization;

/// <summary>
/// Once a worker holds the dataset, a step costs only sample indices on the wire; and no tensor chunk is
/// larger than a remoting frame (Akka.Remote drops an oversized message with only a log line).
/// </summary>
[Collection(NodeActorSystemCollection.Name)]
public sealed class ShardMessageSizeTests(NodeActorSystemFixture node)
{
    private const int BatchSize = 512;
    private const int MnistFeatures = 784;
    private const int MnistTrainSamples = 60_000;
    private const int BytesPerSample = 8;
    private const int BytesPerShard = 64;

    /// <summary>Akka.Remote's envelope around a payload: recipient and sender paths, manifest, serializer id, sequence numbers.</summary>
    private const int EnvelopeAllowanceBytes = 2048;

    private static readonly string JobId = Guid.Parse("6c1f0c0e-9d53-4a8e-9f3c-2f4b3a1e7d10").ToString();

    [Theory]
    [InlineData(512, 1)]
    [InlineData(64, 1)]
    [InlineData(32, 3)]
    [InlineData(16, 3)]
    [InlineData(1, 5)]
    public void ComputeGradients_MnistBatchOf512_OnlyIndicesOnTheWire(int shardSize, int workerCount)
    {
        var messages = CoordinatorMessagesForStep(step: 1_000_000, shardSize, workerCount);

        var sizes = messages.Select(m => node.Serialize(m).Bytes.Length).ToList();

        Assert.Equal(BatchSize, messages.Sum(m => m.Shards.Sum(s => s.SampleIndices.Count)));
        for (var i = 0; i < messages.Count; i++)
        {
            var samples = messages[i].Shards.Sum(s => s.SampleIndices.Count);
            Assert.True(
                sizes[i] < (BytesPerSample * samples) + (BytesPerShard * messages[i].Shards.Count),
                $"{sizes[i]} bytes for {samples} samples in {messages[i].Shards.Count} shards");
        }

        Assert.True(sizes.Sum() * 100 < BatchSize * MnistFeatures * sizeof(float), $"{sizes.Sum()} bytes for a step");
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(64 * 1024)]
    [InlineData(512 * 1024)]
    [InlineData((1024 * 1024) + 3)]
    [InlineData(ClusterOptions.MaxChunkBytes)]
    public void TensorChunk_OfChunkBytes_FitsTheConfiguredRemotingFrame(int chunkBytes)
    {
        var options = new ClusterOptions { Tls = { Enabled = false }, ChunkBytes = chunkBytes };
        options.Validate();
        var frameBytes = ClusterHocon.For(options).GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");
        var chunk = TensorChunks.Split(JobId, long.MaxValue, new float[(chunkBytes / sizeof(float)) + 1], chunkBytes)[0];
        chunk.Sequence = int.MaxValue;
        chunk.Offset = int.MaxValue;

        var size = node.Serialize(chunk).Bytes.Length;

        Assert.NotNull(frameBytes);
        Assert.Equal(chunkBytes - (chunkBytes % sizeof(float)), chunk.Data.Length);
        Assert.True(size + EnvelopeAllowanceBytes <= frameBytes, $"{size} bytes of chunk + envelope in a frame of {frameBytes}");
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(512 * 1024)]
    [InlineData(ClusterOptions.MaxChunkBytes)]
    public void DatasetChunk_OfChunkBytes_FitsTheConfiguredRemotingFrame(int chunkBytes)
    {
        var options = new ClusterOptions { Tls = { Enabled = false }, ChunkBytes = chunkBytes };
        var frameBytes = ClusterHocon.For(options).GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");
        var dataset = Transfer.DatasetShipping.RandomDataset(1, (chunkBytes / sizeof(float) / MnistFeatures) + 1, MnistFeatures, 10);
        var chunk = DatasetChunks.Split(dataset, "ffffffffffffffff-60000x784+10", chunkBytes)[0];
        chunk.Offset = long.MaxValue;

        var size = node.Serialize(chunk).Bytes.Length;

        Assert.True(size + EnvelopeAllowanceBytes <= frameBytes, $"{size} bytes of chunk + envelope in a frame of {frameBytes}");
    }

    /// <summary>
    /// The <see cref="ComputeGradients"/> messages of one step, built as TrainingCoordinator.SendBlocks does:
    /// the step's plan over equal workers, each block's slice of the epoch's shuffled sample indices.
    /// </summary>
    private static List<ComputeGradients> CoordinatorMessagesForStep(long step, int shardSize, int workerCount)
    {
        var batch = EpochOrder.For(seed: 7, epoch: 3, MnistTrainSamples, shuffle: true)[..BatchSize];
        var workers = Enumerable.Range(0, workerCount).Select(i => new WorkerShare($"akka.tcp://backprop@worker-{i}:4053", 1000.0)).ToList();
        var plan = StepPlan.Create(step, GradientTree.LeafCount(batch.Length, shardSize), workers);
        var messages = new List<ComputeGradients>();
        foreach (var worker in plan.BusyWorkers)
        {
            var message = new ComputeGradients { JobId = JobId, Step = step };
            foreach (var block in plan.OutstandingOf(worker))
            {
                var shard = new Shard { FirstLeaf = block.First, EndLeaf = block.End };
                shard.SampleIndices.AddRange(batch[(block.First * shardSize)..Math.Min(block.End * shardSize, batch.Length)]);
                message.Shards.Add(shard);
            }

            messages.Add(message);
        }

        return messages;
    }
}
