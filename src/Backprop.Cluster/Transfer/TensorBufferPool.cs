using System.Collections.Concurrent;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// Reusable tensor buffers of a tensor of <see cref="ValueCount"/> values (whole, or a slice of any shorter length), shared
/// by an actor and the threads that read and write its links, so steady training allocates no new (large-object-heap)
/// arrays per step.
/// </summary>
public sealed class TensorBufferPool(int valueCount)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = [];

    /// <summary>Length of the whole tensor: of <see cref="Rent()"/>'s buffers, and the most any buffer holds.</summary>
    public int ValueCount { get; } = valueCount;

    /// <summary>A free buffer of the whole tensor's length, or a new one; its contents are undefined.</summary>
    public float[] Rent() => Rent(ValueCount);

    /// <summary>A free buffer of <paramref name="length"/> values (a slice), or a new one; its contents are undefined.</summary>
    public float[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ValueCount);
        return _free.TryGetValue(length, out var free) && free.TryTake(out var buffer) ? buffer : new float[length];
    }

    /// <summary>Takes back a buffer for reuse by rents of its length (one longer than the tensor is left to the garbage collector).</summary>
    public void Return(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length <= ValueCount)
        {
            _free.GetOrAdd(buffer.Length, _ => []).Add(buffer);
        }
    }
}
