using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Worker;

/// <summary>
/// Puts θ of a step together from its buckets (<see cref="TensorFrameKind.GatherWeights"/>), which come from the
/// coordinator for the buckets this worker owns and from the other slice owners for theirs (all-gather). Each offset
/// counts once; a later step's first bucket drops what an earlier step had gathered. Not thread-safe: the worker's
/// actor owns it.
/// </summary>
internal sealed class WeightsGather(TensorBufferPool buffers)
{
    private readonly HashSet<int> _offsets = [];
    private float[]? _weights;
    private int _gathered;

    /// <summary>The step whose θ is being gathered; -1 for none.</summary>
    public long Version { get; private set; } = -1;

    /// <summary>
    /// Adds a bucket of θ of <paramref name="header"/>'s step; returns θ once every value is in (the caller then holds the
    /// buffer), else null. Buckets of a step older than the one gathered are dropped.
    /// </summary>
    public float[]? Add(TensorFrameHeader header, ReadOnlySpan<float> values)
    {
        if (header.Step < Version)
        {
            return null;
        }

        if (header.Step > Version)
        {
            Reset();
            Version = header.Step;
            _weights = buffers.Rent();
        }

        if (!_offsets.Add(header.Offset))
        {
            return null;
        }

        values.CopyTo(_weights.AsSpan(header.Offset, values.Length));
        _gathered += values.Length;
        if (_gathered < buffers.ValueCount)
        {
            return null;
        }

        var complete = _weights!;
        _weights = null;
        _offsets.Clear();
        _gathered = 0;
        Version = -1;
        return complete;
    }

    /// <summary>Drops a partly gathered θ (whole θ of that step or a later one arrived instead, or the job ends).</summary>
    public void Reset()
    {
        if (_weights is not null)
        {
            buffers.Return(_weights);
            _weights = null;
        }

        _offsets.Clear();
        _gathered = 0;
        Version = -1;
    }
}
