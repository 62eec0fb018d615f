using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// What precedes a tensor on a direct tensor link: for θ the step it is for; for gradient sums the block,
/// its sample count, loss sum and compute time. <see cref="Checksum"/> is the XxHash3 of the values.
/// </summary>
public readonly record struct TensorFrameHeader(
    long Step, int FirstLeaf, int EndLeaf, int SampleCount, double LossSum, double ComputeSeconds, int ValueCount, ulong Checksum);

/// <summary>
/// The byte layout of a direct tensor link (little-endian): once, the job id (int32 length + UTF-8); then frames of
/// a 48-byte <see cref="TensorFrameHeader"/> followed by the float32 values, written and read without copies.
/// </summary>
public static class TensorFrame
{
    /// <summary>Bytes of a frame header.</summary>
    public const int HeaderBytes = 48;

    /// <summary>Longest job id a link accepts.</summary>
    private const int MaxJobIdBytes = 1024;

    /// <summary>Writes the job id that opens a link.</summary>
    public static void WriteJobId(Stream stream, string jobId)
    {
        var bytes = Encoding.UTF8.GetBytes(jobId);
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
        stream.Flush();
    }

    /// <summary>Reads the job id that opens a link.</summary>
    /// <exception cref="InvalidDataException">An absurd length.</exception>
    public static string ReadJobId(Stream stream)
    {
        Span<byte> length = stackalloc byte[sizeof(int)];
        stream.ReadExactly(length);
        var count = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (count is < 0 or > MaxJobIdBytes)
        {
            throw new InvalidDataException($"tensor link: a job id of {count} bytes");
        }

        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Writes one frame: the header, then <paramref name="values"/> straight from memory.</summary>
    public static void Write(Stream stream, TensorFrameHeader header, ReadOnlySpan<float> values)
    {
        if (header.ValueCount != values.Length)
        {
            throw new ArgumentException($"the header announces {header.ValueCount} values, {values.Length} given", nameof(values));
        }

        Span<byte> bytes = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, header.Step);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[8..], header.FirstLeaf);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[12..], header.EndLeaf);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[16..], header.SampleCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[20..], header.ValueCount);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes[24..], header.LossSum);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes[32..], header.ComputeSeconds);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[40..], header.Checksum);
        stream.Write(bytes);
        stream.Write(MemoryMarshal.AsBytes(values));
        stream.Flush();
    }

    /// <summary>Reads a frame header; false when the stream ended cleanly between frames.</summary>
    public static bool TryReadHeader(Stream stream, out TensorFrameHeader header)
    {
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
            BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]));
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
}
