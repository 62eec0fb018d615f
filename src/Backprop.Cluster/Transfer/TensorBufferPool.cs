using System.Collections.Concurrent;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// Reusable tensor buffers of one length, shared by an actor and the threads that read its links, so steady
/// training allocates no new (large-object-heap) arrays per step.
/// </summary>
public sealed class TensorBufferPool(int valueCount)
{
    private readonly ConcurrentBag<float[]> _free = [];

    /// <summary>Length of every buffer.</summary>
    public int ValueCount { get; } = valueCount;

    /// <summary>A free buffer, or a new one; its contents are undefined.</summary>
    public float[] Rent() => _free.TryTake(out var buffer) ? buffer : new float[ValueCount];

    /// <summary>Takes back a buffer for reuse (one of another length is left to the garbage collector).</summary>
    public void Return(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length == ValueCount)
        {
            _free.Add(buffer);
        }
    }
}
