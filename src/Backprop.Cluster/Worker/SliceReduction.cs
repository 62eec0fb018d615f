using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Transfer;
using Backprop.Core.Training;

namespace Backprop.Cluster.Worker;

/// <summary>
/// The reduce-scatter at one slice owner: for the current reduction round, one <see cref="GradientTreeAccumulator"/> per
/// bucket this worker owns, fed with that bucket's slice of every block's sums (its own blocks' and its peers'), each
/// block once. A bucket whose leaves are all in is done: its sums have the bits of <see cref="GradientTree.Combine"/>
/// over the same leaves, whatever the blocks' senders and arrival order. Frames of a later round (a peer ahead of this
/// worker's <c>ComputeGradients</c>) wait for it; frames of an earlier one are dropped. Not thread-safe: the worker's
/// actor owns it.
/// </summary>
internal sealed class SliceReduction
{
    private readonly Dictionary<int, GradientTreeAccumulator> _accumulators = [];
    private readonly Dictionary<(int Offset, int Length), GradientTreeAccumulator> _reusable = [];
    private readonly List<(TensorFrameHeader Header, float[] Values)> _early = [];
    private readonly TensorBufferPool _buffers;

    /// <summary>
    /// A reduction that gives received buffers back to <paramref name="buffers"/> once their values are added or dropped,
    /// and rents the buffers of its results from it.
    /// </summary>
    public SliceReduction(TensorBufferPool buffers) => _buffers = buffers;

    /// <summary>The current round; -1 before the first.</summary>
    public int Round { get; private set; } = -1;

    /// <summary>The step of the current round.</summary>
    public long Step { get; private set; } = -1;

    /// <summary>The leaves of the current round's step.</summary>
    public int LeafCount { get; private set; }

    /// <summary>
    /// Starts <paramref name="round"/> of <paramref name="step"/> over <paramref name="leafCount"/> leaves for the buckets
    /// this worker owns, dropping the previous round, and adds the frames that came for it early; returns the buckets they
    /// complete.
    /// </summary>
    public List<ReducedBucket> Begin(int round, long step, int leafCount, IReadOnlyList<ReductionBucket> owned)
    {
        ArgumentNullException.ThrowIfNull(owned);
        Round = round;
        Step = step;
        LeafCount = leafCount;
        _accumulators.Clear();
        foreach (var bucket in owned)
        {
            if (!_reusable.TryGetValue((bucket.Offset, bucket.Length), out var accumulator))
            {
                _reusable[(bucket.Offset, bucket.Length)] = accumulator = new GradientTreeAccumulator(bucket.Offset, bucket.Length);
            }

            accumulator.Start(leafCount);
            _accumulators[bucket.Offset] = accumulator;
        }

        var done = new List<ReducedBucket>();
        var early = _early.ToList();
        _early.Clear();
        foreach (var (header, values) in early)
        {
            done.AddRange(Add(header, values));
        }

        return done;
    }

    /// <summary>
    /// Takes a received bucket slice of a block's sums (<see cref="TensorFrameKind.ScatterSums"/>); the buffer is released
    /// now, or kept until its round begins. Returns the bucket it completes, if any.
    /// </summary>
    public IEnumerable<ReducedBucket> Add(TensorFrameHeader header, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (header.Round > Round)
        {
            _early.Add((header, values));
            return [];
        }

        var done = header.Round == Round ? AddSlice(header, values) : null;
        _buffers.Return(values);
        return done is null ? [] : [done];
    }

    /// <summary>Adds this worker's own block's sums (the whole vector) to every bucket it owns; returns the buckets that completes.</summary>
    public List<ReducedBucket> AddOwn(LeafRange block, ReadOnlySpan<float> sums)
    {
        var done = new List<ReducedBucket>();
        foreach (var accumulator in _accumulators.Values)
        {
            if (accumulator.Add(block, sums.Slice(accumulator.Offset, accumulator.Length), 0) && accumulator.IsComplete)
            {
                done.Add(Result(accumulator));
            }
        }

        return done;
    }

    /// <summary>Drops the frames kept for later rounds (the job ends).</summary>
    public void Clear()
    {
        foreach (var (_, values) in _early)
        {
            _buffers.Return(values);
        }

        _early.Clear();
        _accumulators.Clear();
    }

    private ReducedBucket? AddSlice(TensorFrameHeader header, float[] values)
    {
        // A slice of a bucket this worker does not own, or cut differently, is a peer's mistake: dropped, and the round
        // then waits (the coordinator's stall watch runs it again).
        if (!_accumulators.TryGetValue(header.Offset, out var accumulator) || accumulator.Length != values.Length
            || !GradientTree.IsNode(new LeafRange(header.FirstLeaf, header.EndLeaf), LeafCount))
        {
            return null;
        }

        return accumulator.Add(new LeafRange(header.FirstLeaf, header.EndLeaf), values, 0) && accumulator.IsComplete
            ? Result(accumulator)
            : null;
    }

    /// <summary>A done bucket's sums, copied into a buffer of the pool that the caller then holds.</summary>
    private ReducedBucket Result(GradientTreeAccumulator accumulator)
    {
        var sums = _buffers.Rent(accumulator.Length);
        accumulator.Sum.CopyTo(sums);
        return new ReducedBucket(accumulator.Offset, sums);
    }
}

/// <summary>A bucket's sums over every leaf of a round, starting at parameter <paramref name="Offset"/>, in a pooled buffer.</summary>
internal sealed record ReducedBucket(int Offset, float[] Sums);
