using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Transfer;

public sealed class DatasetChunksTests
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        // count, input size, target size, chunk bytes
        { 0, 3, 2, 64 },
        { 1, 1, 1, 4 },
        { 4, 2, 2, 7 },
        { 37, 5, 3, 64 },
        { 50, 784, 10, 4096 },
        { 50, 784, 10, 4096 + 5 },
        { 129, 13, 1, 100 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Split_AnyShape_FeaturesThenTargetsContiguousEachWithinChunkBytes(int count, int inputSize, int targetSize, int chunkBytes)
    {
        var dataset = DatasetShipping.RandomDataset(1, count, inputSize, targetSize);

        var chunks = DatasetChunks.Split(dataset, "id-1", chunkBytes);

        var perChunk = chunkBytes / sizeof(float);
        var features = chunks.TakeWhile(c => c.Part == DatasetPart.Features).ToList();
        var targets = chunks.Skip(features.Count).ToList();
        Assert.All(targets, c => Assert.Equal(DatasetPart.Targets, c.Part));
        Assert.Equal(Ceiling(dataset.Features.Length, perChunk), features.Count);
        Assert.Equal(Ceiling(dataset.Targets.Length, perChunk), targets.Count);
        Assert.All(chunks, c => Assert.InRange(c.Data.Length, sizeof(float), chunkBytes));
        Assert.All(chunks, c => Assert.Equal("id-1", c.DatasetId));
        Assert.Equal(dataset.Features, features.SelectMany(c => TensorBytes.ToArray(c.Data, "data")));
        Assert.Equal(dataset.Targets, targets.SelectMany(c => TensorBytes.ToArray(c.Data, "data")));
        Assert.Equal(Offsets(features), features.Select(c => c.Offset));
        Assert.Equal(Offsets(targets), targets.Select(c => c.Offset));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ShipThroughCache_AnyShape_SameFeaturesAndTargetsThenFoundByDescriptor(int count, int inputSize, int targetSize, int chunkBytes)
    {
        var dataset = DatasetShipping.RandomDataset(2, count, inputSize, targetSize, name: "shipped");
        var cache = new DatasetCache();

        var (descriptor, shipped) = DatasetShipping.Ship(cache, dataset, chunkBytes);

        Assert.Equal(Bits(dataset.Features), Bits(shipped.Features));
        Assert.Equal(Bits(dataset.Targets), Bits(shipped.Targets));
        Assert.Equal((count, inputSize, targetSize, "shipped"), (shipped.Count, shipped.InputSize, shipped.TargetSize, shipped.Name));
        Assert.Same(shipped, cache.Find(descriptor));
    }

    [Fact]
    public void ShipThroughCache_ChunksInAnyOrder_SameDataset()
    {
        var dataset = DatasetShipping.RandomDataset(3, 37, 5, 3);
        var (descriptor, chunks) = DatasetShipping.Prepare(dataset, 24);
        var cache = new DatasetCache();
        cache.ExpectShipment(descriptor);

        var random = new Random(5);
        foreach (var chunk in chunks.OrderBy(_ => random.Next()))
        {
            cache.Accept(chunk);
        }

        var shipped = cache.CompleteShipment(descriptor.DatasetId, chunks.Count);
        Assert.Equal(dataset.Features, shipped.Features);
        Assert.Equal(dataset.Targets, shipped.Targets);
    }

    [Fact]
    public void Split_ChunkBytesBelowOneValue_Throws()
    {
        var dataset = DatasetShipping.RandomDataset(4, 2, 2, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetChunks.Split(dataset, "id", 3));
    }

    private static int Ceiling(int values, int perChunk) => (values + perChunk - 1) / perChunk;

    private static IEnumerable<long> Offsets(List<DatasetChunk> chunks)
    {
        long offset = 0;
        foreach (var chunk in chunks)
        {
            yield return offset;
            offset += chunk.Data.Length / sizeof(float);
        }
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
