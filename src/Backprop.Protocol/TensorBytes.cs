using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Backprop.Protocol;

/// <summary>
/// float32 tensors as protobuf <c>bytes</c>: little-endian, 4 bytes per value, no per-element encoding.
/// </summary>
public static class TensorBytes
{
    /// <summary>Copies <paramref name="values"/> into a new byte string.</summary>
    public static ByteString From(ReadOnlySpan<float> values)
    {
        EnsureLittleEndian();
        return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Number of float32 values <paramref name="bytes"/> holds.</summary>
    /// <exception cref="InvalidDataException">The length is not a multiple of 4.</exception>
    public static int CountOf(ByteString bytes, string field)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new InvalidDataException($"{field}: {bytes.Length} bytes is not a whole number of float32 values");
        }

        return bytes.Length / sizeof(float);
    }

    /// <summary>Copies the values of <paramref name="bytes"/> into <paramref name="destination"/>, which must fit them exactly.</summary>
    public static void CopyTo(ByteString bytes, Span<float> destination, string field)
    {
        var count = CountOf(bytes, field);
        if (count != destination.Length)
        {
            throw new InvalidDataException($"{field}: holds {count} values, expected {destination.Length}");
        }

        EnsureLittleEndian();
        bytes.Span.CopyTo(MemoryMarshal.AsBytes(destination));
    }

    /// <summary>The values of <paramref name="bytes"/> as a new array.</summary>
    public static float[] ToArray(ByteString bytes, string field)
    {
        var values = new float[CountOf(bytes, field)];
        CopyTo(bytes, values, field);
        return values;
    }

    // The wire is little-endian; every platform .NET 10 runs on is too, so a copy is enough.
    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("tensor bytes are little-endian float32; this platform is big-endian");
        }
    }
}
