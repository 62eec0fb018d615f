namespace Backprop.Core.Training;

/// <summary>
/// One quantity summed along the <see cref="GradientTree"/> by <see cref="GradientTree.Reduce"/>: its
/// owner keeps the partial sums in stack slots 0, 1, … and is told which to add.
/// </summary>
internal interface ILeafSums
{
    /// <summary>Writes the sum over rows [<paramref name="first"/>, first + <paramref name="rows"/>) alone into <paramref name="slot"/>.</summary>
    void SumLeaf(int slot, int first, int rows);

    /// <summary>Slot <paramref name="into"/> ← slot into + (slot into + 1 + (… + slot <paramref name="top"/>)); the slots above into are free afterwards.</summary>
    void AddChain(int into, int top);

    /// <summary>The result is slot 0 + (slot 1 + (… + slot <paramref name="top"/>)), slot 0 alone when top is 0: compute it and put it where it belongs.</summary>
    void Finish(int top);
}
