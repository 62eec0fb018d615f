using Backprop.Protocol;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// A snapshot of a tensor in a pooled buffer that several sends read at once (θ of a step, on its way to every worker),
/// so that its source may change while they run. It goes back to its pool when the last holder releases it: the one
/// who took it, and each send it was handed to (<see cref="Retain"/>).
/// </summary>
public sealed class SharedTensor
{
    private readonly TensorBufferPool _pool;
    private int _holders = 1;

    private SharedTensor(TensorBufferPool pool, float[] values)
    {
        _pool = pool;
        Values = values;
        Checksum = TensorChecksum.Of(values);
    }

    /// <summary>The snapshot; not to be changed.</summary>
    public float[] Values { get; }

    /// <summary>XxHash3 of <see cref="Values"/>.</summary>
    public ulong Checksum { get; }

    /// <summary>Copies <paramref name="source"/> (the whole tensor) into a buffer from <paramref name="pool"/>; the caller holds it.</summary>
    public static SharedTensor CopyOf(ReadOnlySpan<float> source, TensorBufferPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (source.Length != pool.ValueCount)
        {
            throw new ArgumentException($"a snapshot of {source.Length} values from a pool of tensors of {pool.ValueCount}", nameof(source));
        }

        var values = pool.Rent();
        source.CopyTo(values);
        return new SharedTensor(pool, values);
    }

    /// <summary>One more holder (a send that reads the snapshot until it calls <see cref="Release"/>).</summary>
    public void Retain() => Interlocked.Increment(ref _holders);

    /// <summary>A holder is done with the snapshot; after the last one it goes back to the pool.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left == 0)
        {
            _pool.Return(Values);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a shared tensor was released more often than it was held");
        }
    }
}
