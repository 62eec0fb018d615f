using Backprop.Core.Optimizers;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// The coordinator's side of one step whose gradients are reduced among the workers, over however many rounds it takes:
/// each bucket's reduced sums are applied by the optimizer as they arrive (one <see cref="OptimizerStep"/> for the whole
/// step, begun at the first bucket), so θ's buckets go back to the owners while others are still being reduced. A bucket
/// is applied once; a round given up after some were applied leaves them applied, and its next round (or the star, if the
/// step runs without a reduction) supplies the rest. The bits are those of one whole-vector optimizer step: the update
/// is elementwise.
/// </summary>
internal sealed class ReducedStep(long step, IReadOnlyList<ReductionBucket> buckets)
{
    private readonly bool[] _applied = new bool[buckets.Count];
    private OptimizerStep? _optimizerStep;
    private int _appliedCount;

    /// <summary>The optimizer step (0-based over the run).</summary>
    public long Step { get; } = step;

    /// <summary>A round of the step was given up, or a bucket of θ could not be sent: θ of the next step goes whole to every worker.</summary>
    public bool GatherBroken { get; set; }

    /// <summary>Whether every bucket has been applied.</summary>
    public bool IsComplete => _appliedCount == _applied.Length;

    /// <summary>Whether <paramref name="bucket"/> has been applied.</summary>
    public bool IsApplied(ReductionBucket bucket) => _applied[bucket.Index];

    /// <summary>
    /// Applies the optimizer to <paramref name="bucket"/> of <paramref name="parameters"/> from the bucket's gradient
    /// <paramref name="sums"/> over the step's <paramref name="sampleCount"/> samples; false, changing nothing, if it was applied.
    /// </summary>
    public bool Apply(Optimizer optimizer, int sampleCount, float learningRate, ReductionBucket bucket, Span<float> parameters, ReadOnlySpan<float> sums)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(bucket);
        if (_applied[bucket.Index])
        {
            return false;
        }

        _optimizerStep ??= optimizer.BeginStep(sampleCount, learningRate);
        _optimizerStep.Value.Apply(bucket.Offset, parameters.Slice(bucket.Offset, bucket.Length), sums);
        _applied[bucket.Index] = true;
        _appliedCount++;
        return true;
    }

    /// <summary>Applies every bucket not yet applied from the whole vector's <paramref name="sums"/> (the step finished at the coordinator).</summary>
    public void ApplyRest(Optimizer optimizer, int sampleCount, float learningRate, Span<float> parameters, ReadOnlySpan<float> sums)
    {
        foreach (var bucket in buckets)
        {
            Apply(optimizer, sampleCount, learningRate, bucket, parameters, sums.Slice(bucket.Offset, bucket.Length));
        }
    }
}
