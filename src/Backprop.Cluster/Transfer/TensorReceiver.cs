using System.Runtime.InteropServices;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// Reassembles tensors of a fixed length from <see cref="TensorChunk"/>s, keyed by sender and transfer id,
/// and verifies each one (sequence numbers, coverage, checksum) when the message describing it arrives.
/// Finished buffers come back through <see cref="Return"/> and are reused, so steady training allocates none.
/// </summary>
/// <typeparam name="TSender">Who sent a transfer (transfer ids are unique per sender only).</typeparam>
public sealed class TensorReceiver<TSender>(TensorBufferPool buffers)
    where TSender : notnull
{
    private readonly Dictionary<(TSender Sender, long TransferId), Pending> _pending = [];

    /// <summary>A receiver with buffers of its own.</summary>
    public TensorReceiver(int valueCount)
        : this(new TensorBufferPool(valueCount))
    {
    }

    /// <summary>Length of every tensor this receiver assembles.</summary>
    public int ValueCount => buffers.ValueCount;

    /// <summary>Transfers begun but not completed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Copies one chunk into its transfer's buffer.</summary>
    /// <exception cref="InvalidDataException">Out of sequence or out of range.</exception>
    public void Accept(TSender sender, TensorChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var key = (sender, chunk.TransferId);
        if (!_pending.TryGetValue(key, out var pending))
        {
            pending = new Pending(buffers.Rent());
            _pending[key] = pending;
        }

        var count = TensorBytes.CountOf(chunk.Data, "tensor chunk");
        if (chunk.Sequence != pending.Chunks || chunk.Offset != pending.Values || count > ValueCount - pending.Values)
        {
            Abandon(key, pending);
            throw new InvalidDataException(
                $"transfer {chunk.TransferId}: chunk {chunk.Sequence} at offset {chunk.Offset} with {count} values does not follow chunk {pending.Chunks - 1} ending at {pending.Values} of {ValueCount}");
        }

        chunk.Data.Span.CopyTo(MemoryMarshal.AsBytes(pending.Buffer.AsSpan(pending.Values, count)));
        pending.Chunks++;
        pending.Values += count;
    }

    /// <summary>
    /// The finished tensor of <paramref name="transferId"/>; the caller owns it until it passes it to <see cref="Return"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing chunks, a wrong length or a checksum mismatch.</exception>
    public float[] Complete(TSender sender, long transferId, int chunkCount, ulong checksum)
    {
        var key = (sender, transferId);
        if (!_pending.Remove(key, out var pending))
        {
            throw new InvalidDataException($"transfer {transferId}: no chunks arrived");
        }

        string? problem = null;
        if (pending.Chunks != chunkCount || pending.Values != ValueCount)
        {
            problem = $"transfer {transferId}: {pending.Chunks} of {chunkCount} chunks and {pending.Values} of {ValueCount} values arrived";
        }
        else if (TensorChecksum.Of(pending.Buffer) != checksum)
        {
            problem = $"transfer {transferId}: checksum mismatch";
        }

        if (problem is not null)
        {
            buffers.Return(pending.Buffer);
            throw new InvalidDataException(problem);
        }

        return pending.Buffer;
    }

    /// <summary>Drops every partial transfer from <paramref name="sender"/> (it left or failed).</summary>
    public void Forget(TSender sender)
    {
        foreach (var key in _pending.Keys.Where(k => EqualityComparer<TSender>.Default.Equals(k.Sender, sender)).ToList())
        {
            Abandon(key, _pending[key]);
        }
    }

    /// <summary>Takes back a buffer returned by <see cref="Complete"/> for reuse.</summary>
    public void Return(float[] buffer)
    {
        buffers.Return(buffer);
    }

    private void Abandon((TSender, long) key, Pending pending)
    {
        _pending.Remove(key);
        buffers.Return(pending.Buffer);
    }

    private sealed class Pending(float[] buffer)
    {
        public float[] Buffer { get; } = buffer;

        public int Chunks { get; set; }

        public int Values { get; set; }
    }
}
