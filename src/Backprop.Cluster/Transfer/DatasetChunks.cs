using Backprop.Core.Data;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Transfer;

/// <summary>Cuts a dataset's features and targets into <see cref="DatasetChunk"/> messages that each fit one remoting frame.</summary>
public static class DatasetChunks
{
    /// <summary>The chunks of <paramref name="dataset"/>: features first, then targets, each at most <paramref name="chunkBytes"/> bytes of data.</summary>
    public static List<DatasetChunk> Split(Dataset dataset, string datasetId, int chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, sizeof(float));
        var chunks = new List<DatasetChunk>();
        Add(chunks, datasetId, DatasetPart.Features, dataset.Features, chunkBytes / sizeof(float));
        Add(chunks, datasetId, DatasetPart.Targets, dataset.Targets, chunkBytes / sizeof(float));
        return chunks;
    }

    private static void Add(List<DatasetChunk> chunks, string datasetId, DatasetPart part, float[] values, int perChunk)
    {
        for (var offset = 0; offset < values.Length; offset += perChunk)
        {
            var count = Math.Min(perChunk, values.Length - offset);
            chunks.Add(new DatasetChunk { DatasetId = datasetId, Part = part, Offset = offset, Data = TensorBytes.From(values.AsSpan(offset, count)) });
        }
    }
}
