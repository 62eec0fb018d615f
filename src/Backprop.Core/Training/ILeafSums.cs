namespace Backprop.Core.Training;

/// <summary>
/// One quantity summed along the <see cref="GradientTree"/> by <see cref="GradientTree.Reduce"/>: its
/// owner keeps the partial sums in stack slots 0, 1, … and the result ends in slot 0.
/// </summary>
internal interface ILeafSums
{
    /// <summary>Writes the sum over rows [<paramref name="first"/>, first + <paramref name="rows"/>) alone into <paramref name="slot"/>.</summary>
    void SumLeaf(int slot, int first, int rows);

    /// <summary>Slot <paramref name="into"/> ← slot into + (slot into + 1 + (… + slot <paramref name="top"/>)); the slots above into are free afterwards.</summary>
    void AddChain(int into, int top);
}
