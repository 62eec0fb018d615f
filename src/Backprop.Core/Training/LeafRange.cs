namespace Backprop.Core.Training;

/// <summary>
/// The leaves (micro-shards) <see cref="First"/> to <see cref="End"/> − 1 of a batch: a worker's share
/// of a step, or one node of the <see cref="GradientTree"/>.
/// </summary>
/// <param name="First">The first leaf.</param>
/// <param name="End">One past the last leaf.</param>
public readonly record struct LeafRange(int First, int End)
{
    /// <summary>Leaves in the range.</summary>
    public int Count => End - First;

    /// <summary>E.g. <c>leaves [4, 7)</c>.</summary>
    public override string ToString() => $"leaves [{First}, {End})";
}
