using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;
using Backprop.Core.Data;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Transfer;

/// <summary>Datasets to ship in tests, and the coordinator's side of a shipment.</summary>
internal static class DatasetShipping
{
    /// <summary>A dataset of seeded random values (any floats: the cache must not care what they mean).</summary>
    public static Dataset RandomDataset(int seed, int count, int inputSize, int targetSize, string name = "random")
    {
        var random = new Random(seed);
        var features = new float[count * inputSize];
        var targets = new float[count * targetSize];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)(random.NextDouble() * 2) - 1;
        }

        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = random.Next(2);
        }

        return new Dataset(name, inputSize, targetSize, features, targets);
    }

    /// <summary>What a worker receives for <paramref name="dataset"/>: its descriptor (no source) and its chunks.</summary>
    public static (DatasetDescriptor Descriptor, List<DatasetChunk> Chunks) Prepare(Dataset dataset, int chunkBytes)
    {
        var descriptor = DatasetConverter.DescriptorOf(dataset, source: null);
        return (descriptor, DatasetChunks.Split(dataset, descriptor.DatasetId, chunkBytes));
    }

    /// <summary>Ships <paramref name="dataset"/> into <paramref name="cache"/> the way a coordinator and worker do.</summary>
    public static (DatasetDescriptor Descriptor, Dataset Shipped) Ship(DatasetCache cache, Dataset dataset, int chunkBytes = 256)
    {
        var (descriptor, chunks) = Prepare(dataset, chunkBytes);
        cache.ExpectShipment(descriptor);
        foreach (var chunk in chunks)
        {
            cache.Accept(chunk);
        }

        return (descriptor, cache.CompleteShipment(descriptor.DatasetId, chunks.Count));
    }
}
