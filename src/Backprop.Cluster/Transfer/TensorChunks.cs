using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Transfer;

/// <summary>Cuts a tensor into <see cref="TensorChunk"/> messages that each fit one remoting frame.</summary>
public static class TensorChunks
{
    /// <summary>
    /// The chunks of <paramref name="values"/> for transfer <paramref name="transferId"/>, in order, each at most
    /// <paramref name="chunkBytes"/> bytes of data; an empty tensor is one empty chunk.
    /// </summary>
    public static List<TensorChunk> Split(string jobId, long transferId, ReadOnlySpan<float> values, int chunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, sizeof(float));
        var perChunk = chunkBytes / sizeof(float);
        var chunks = new List<TensorChunk>((values.Length / perChunk) + 1);
        var offset = 0;
        do
        {
            var count = Math.Min(perChunk, values.Length - offset);
            chunks.Add(new TensorChunk
            {
                JobId = jobId,
                TransferId = transferId,
                Sequence = chunks.Count,
                Offset = offset,
                Data = TensorBytes.From(values.Slice(offset, count)),
            });
            offset += count;
        }
        while (offset < values.Length);

        return chunks;
    }
}
