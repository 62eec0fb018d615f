using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// What precedes a tensor on a direct tensor link: for θ the step it is for; for gradient sums the block,
/// its sample count, loss sum and compute time. The values are the slice [<see cref="Offset"/>,
/// <see cref="Offset"/> + <see cref="ValueCount"/>) of the full tensor (offset 0 and every value for a whole one).
/// <see cref="Checksum"/> is the XxHash3 of the values.
/// </summary>
public readonly record struct TensorFrameHeader(
    long Step, int FirstLeaf, int EndLeaf, int SampleCount, double LossSum, double ComputeSeconds, int Offset, int ValueCount, ulong Checksum)
{
    /// <summary>What the values are (<see cref="TensorFrameKind"/>); <see cref="TensorFrameKind.Whole"/> on a coordinator's link as before reductions.</summary>
    public TensorFrameKind Kind { get; init; }

    /// <summary>The reduction round of the step (<c>Reduction.round</c>) for the kinds of a reduction; 0 otherwise.</summary>
    public int Round { get; init; }

    /// <summary>Whether the frame carries all of a tensor of <paramref name="totalCount"/> values.</summary>
    public bool IsWhole(int totalCount) => Offset == 0 && ValueCount == totalCount;
}

/// <summary>
/// The byte layout of a direct tensor link (little-endian): once, the job id and the dialling peer's id (each int32 length + UTF-8); then frames of
/// a 60-byte <see cref="TensorFrameHeader"/> followed by the float32 values, written and read without copies.
/// </summary>
public static class TensorFrame
{
    /// <summary>Bytes of a frame header.</summary>
    public const int HeaderBytes = 60;

    /// <summary>Longest job id (or peer id) a link accepts.</summary>
    private const int MaxJobIdBytes = 1024;

    /// <summary>
    /// Writes what opens a link: the job id, then who dials (<paramref name="peer"/>: a slice owner's id for a link between
    /// two workers, empty for the coordinator's link).
    /// </summary>
    public static async Task WriteHandshakeAsync(Stream stream, string jobId, string peer, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var message = new List<byte>();
        foreach (var text in new[] { jobId, peer })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var length = new byte[sizeof(int)];
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            message.AddRange(length);
            message.AddRange(bytes);
        }

        await stream.WriteAsync(message.ToArray(), cancellation).ConfigureAwait(false);
        await stream.FlushAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Reads what opens a link: the job id and who dials (empty: the coordinator).</summary>
    /// <exception cref="InvalidDataException">An absurd length (nothing of that length is allocated).</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection first.</exception>
    public static async Task<(string JobId, string Peer)> ReadHandshakeAsync(Stream stream, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var jobId = await ReadTextAsync(stream, "job id", cancellation).ConfigureAwait(false);
        return (jobId, await ReadTextAsync(stream, "peer id", cancellation).ConfigureAwait(false));
    }

    private static async Task<string> ReadTextAsync(Stream stream, string what, CancellationToken cancellation)
    {
        var length = new byte[sizeof(int)];
        await stream.ReadExactlyAsync(length, cancellation).ConfigureAwait(false);
        var count = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (count is < 0 or > MaxJobIdBytes)
        {
            throw new InvalidDataException($"tensor link: a {what} of {count} bytes");
        }

        var bytes = new byte[count];
        await stream.ReadExactlyAsync(bytes, cancellation).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Writes one frame: the header, then <paramref name="values"/> straight from memory.</summary>
    public static void Write(Stream stream, TensorFrameHeader header, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (header.ValueCount != values.Length)
        {
            throw new ArgumentException($"the header announces {header.ValueCount} values, {values.Length} given", nameof(values));
        }

        Span<byte> bytes = stackalloc byte[HeaderBytes];
        WriteHeader(header, bytes);
        stream.Write(bytes);
        stream.Write(MemoryMarshal.AsBytes(values));
        stream.Flush();
    }

    /// <summary>Writes <paramref name="header"/> into the first <see cref="HeaderBytes"/> of <paramref name="bytes"/>.</summary>
    public static void WriteHeader(TensorFrameHeader header, Span<byte> bytes)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes, header.Step);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], header.FirstLeaf);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], header.EndLeaf);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[16..], header.SampleCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[20..], header.ValueCount);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes[24..], header.LossSum);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes[32..], header.ComputeSeconds);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[40..], header.Checksum);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[48..], header.Offset);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[52..], (int)header.Kind);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[56..], header.Round);
    }

    /// <summary>
    /// Reads a frame header and checks that its values lie within a tensor of <paramref name="totalCount"/>; false when
    /// the stream ended cleanly between frames.
    /// </summary>
    /// <exception cref="InvalidDataException">An offset or value count outside the tensor, naming the field.</exception>
    public static bool TryReadHeader(Stream stream, int totalCount, out TensorFrameHeader header)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> bytes = stackalloc byte[HeaderBytes];
        var first = stream.Read(bytes);
        if (first == 0)
        {
            header = default;
            return false;
        }

        stream.ReadExactly(bytes[first..]);
        header = new TensorFrameHeader(
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadDoubleLittleEndian(bytes[24..]),
            BinaryPrimitives.ReadDoubleLittleEndian(bytes[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[48..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]))
        {
            Kind = (TensorFrameKind)BinaryPrimitives.ReadInt32LittleEndian(bytes[52..]),
            Round = BinaryPrimitives.ReadInt32LittleEndian(bytes[56..]),
        };
        CheckSlice(header, totalCount);
        return true;
    }

    /// <summary>Reads a frame's values straight into <paramref name="destination"/> and checks them against the header.</summary>
    /// <exception cref="InvalidDataException">A length or checksum mismatch.</exception>
    public static void ReadValues(Stream stream, TensorFrameHeader header, Span<float> destination)
    {
        if (header.ValueCount != destination.Length)
        {
            throw new InvalidDataException($"tensor link: a frame of {header.ValueCount} values where {destination.Length} were expected");
        }

        stream.ReadExactly(MemoryMarshal.AsBytes(destination));
        if (Protocol.TensorChecksum.Of(destination) != header.Checksum)
        {
            throw new InvalidDataException($"tensor link: checksum mismatch in the frame of step {header.Step}");
        }
    }

    private static void CheckSlice(TensorFrameHeader header, int totalCount)
    {
        var problem = !Enum.IsDefined(header.Kind) ? $"kind {(int)header.Kind} is unknown"
            : header.Offset < 0 ? $"offset {header.Offset} is negative"
            : header.ValueCount < 0 ? $"value count {header.ValueCount} is negative"
            : (long)header.Offset + header.ValueCount > totalCount
                ? $"offset {header.Offset} + value count {header.ValueCount} exceeds the {totalCount} values of the tensor"
            : null;
        if (problem is not null)
        {
            throw new InvalidDataException($"tensor link: in the frame of step {header.Step}, {problem}");
        }
    }
}
