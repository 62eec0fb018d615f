namespace Backprop.Cluster.Coordinator;

/// <summary>
/// One bucket of a <see cref="ReductionLayout"/>: the contiguous parameter range
/// [<see cref="Offset"/>, <see cref="End"/>) of the flat vector, inside the parameters of one layer, that is
/// reduced as one unit. <see cref="Offset"/> and <see cref="Length"/> are the arguments of a
/// <c>GradientTreeAccumulator</c> for the bucket.
/// </summary>
/// <param name="Index">The bucket's position in <see cref="ReductionLayout.Buckets"/> (backward-pass order: 0 is the output layer's last range).</param>
/// <param name="Layer">The layer whose parameters hold the range (0 is the first layer after the input).</param>
/// <param name="Offset">The first parameter of the range.</param>
/// <param name="Length">The number of parameters in the range, at least 1.</param>
public sealed record ReductionBucket(int Index, int Layer, int Offset, int Length)
{
    /// <summary>One past the last parameter of the range.</summary>
    public int End => Offset + Length;
}
