using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Backprop.Protocol;

/// <summary>XxHash3 of float32 tensors as their little-endian bytes: verifies reassembled transfers and dataset copies.</summary>
public static class TensorChecksum
{
    /// <summary>The checksum of one tensor.</summary>
    public static ulong Of(ReadOnlySpan<float> values) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(values));

    /// <summary>The checksum of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static ulong Of(ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        var hash = new XxHash3();
        hash.Append(MemoryMarshal.AsBytes(first));
        hash.Append(MemoryMarshal.AsBytes(second));
        return hash.GetCurrentHashAsUInt64();
    }
}
