using System.Buffers;
using System.Runtime.InteropServices;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// The bytes of a float array segment as <see cref="Memory{T}"/> of bytes, without a copy: what an asynchronous socket
/// write takes (a <see cref="Span{T}"/> view cannot outlive the call that starts it).
/// </summary>
internal sealed class FloatBytes : MemoryManager<byte>
{
    private readonly ArraySegment<float> _values;
    private GCHandle _pin;

    private FloatBytes(ArraySegment<float> values) => _values = values;

    /// <summary>The bytes of <paramref name="values"/>, which must be backed by an array (every tensor buffer here is).</summary>
    public static Memory<byte> Of(ReadOnlyMemory<float> values) =>
        MemoryMarshal.TryGetArray(values, out var segment)
            ? new FloatBytes(segment).Memory
            : throw new ArgumentException("the values are not backed by an array", nameof(values));

    /// <inheritdoc />
    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(_values.AsSpan());

    /// <inheritdoc />
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        if (!_pin.IsAllocated)
        {
            _pin = GCHandle.Alloc(_values.Array, GCHandleType.Pinned);
        }

        var start = (byte*)_pin.AddrOfPinnedObject() + ((long)_values.Offset * sizeof(float)) + elementIndex;
        return new MemoryHandle(start, default, this);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => Unpin();
}
