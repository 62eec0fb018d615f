using System.Numerics;

namespace Backprop.Core.Training;

/// <summary>
/// Bookkeeping of the <see cref="GradientTree"/>'s streaming form for leaves pushed in order. The caller
/// keeps the sums in slots 0..<see cref="Depth"/>−1 (slot = stack position) and is told where each
/// leaf's sum goes and which slots to add: "slot into ← slot into + slot into + 1".
/// </summary>
/// <example>
/// <code>
/// var stack = new LeafStack(stackalloc int[LeafStack.MaxDepth]);
/// foreach (leaf) { var slot = stack.Push(); /* sum the leaf into slot */ while (stack.TryMerge(out var into)) Add(into); }
/// while (stack.TryFold(out var into)) Add(into);   // the result is in slot 0
/// </code>
/// </example>
internal ref struct LeafStack(Span<int> leaves)
{
    /// <summary>Slots any batch can need (an int count of leaves has at most 31 bits).</summary>
    public const int MaxDepth = 32;

    /// <summary>Leaves covered by each occupied slot.</summary>
    private readonly Span<int> _leaves = leaves;
    private int _count;

    /// <summary>Slots a batch of <paramref name="leafCount"/> leaves needs at once: ⌊log2 L⌋ + 1.</summary>
    public static int Depth(int leafCount) => leafCount <= 1 ? 1 : BitOperations.Log2((uint)leafCount) + 1;

    /// <summary>Pushes the next leaf; returns the slot its sum must be written to.</summary>
    public int Push()
    {
        _leaves[_count] = 1;
        return _count++;
    }

    /// <summary>After a leaf's sum is written: true while the top two slots cover equal leaves and must be added.</summary>
    public bool TryMerge(out int into) =>
        TryAddTop(_count >= 2 && _leaves[_count - 1] == _leaves[_count - 2], out into);

    /// <summary>After the last leaf: true while slots remain to fold from the top, s0 + (s1 + (… + sm)).</summary>
    public bool TryFold(out int into) => TryAddTop(_count >= 2, out into);

    private bool TryAddTop(bool add, out int into)
    {
        into = _count - 2;
        if (!add)
        {
            return false;
        }

        _leaves[into] += _leaves[into + 1];
        _count--;
        return true;
    }
}
