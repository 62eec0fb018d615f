using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Core.Training;

/// <summary>
/// Finishes the <see cref="GradientTree"/> of one step incrementally: blocks (tree nodes, as
/// <see cref="GradientTree.AlignedBlocks"/> cuts them) arrive in any order, and two sibling subtrees are added
/// as soon as both are complete, so only incomplete subtrees are held. Works on the whole parameter vector or
/// on one slice [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Length"/>) of it.
/// </summary>
/// <remarks>
/// <para>Each tree node above the blocks gets exactly one addition, Sum(left) + Sum(right), the one
/// <see cref="GradientTree.Combine"/> makes for it; so every element of <see cref="Sum"/> (and
/// <see cref="LossSum"/>, in doubles) has the bits of <see cref="GradientTree.Combine"/> over the same leaves,
/// whatever the blocks and their arrival order. Additions are elementwise, so a slice gives exactly that part of
/// the whole vector's result.</para>
/// <para>Memory: each held subtree is one buffer of <see cref="Length"/> floats. A held subtree's sibling is
/// incomplete, so it contains a missing block, and the held subtree is the sibling of a node on the path from that
/// block to the root. With B blocks of which m ≥ 1 are missing, in a tree of depth D = ⌈log2 L⌉ for L leaves,
/// at most min(B − m, m·D) buffers are held: at most D (e.g. 20 for a million leaves) while only one block is
/// missing or when blocks arrive in leaf order, and B − 1 at worst (every other block missing, say). Buffers
/// absorbed into a sibling go to a free list that later subtrees and later steps reuse, so the buffers ever
/// allocated are the most ever held at once.</para>
/// <para>Ownership: <see cref="Add"/> copies or adds from the caller's span and keeps no reference to it, so the
/// caller may reuse its buffer as soon as <see cref="Add"/> returns.</para>
/// </remarks>
public sealed class GradientTreeAccumulator
{
    private readonly Dictionary<LeafRange, HeldSubtree> _held = [];
    private readonly Stack<float[]> _free = new();

    /// <summary>An accumulator for elements [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the sums.</summary>
    public GradientTreeAccumulator(int offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Offset = offset;
        Length = length;
    }

    /// <summary>The first element of the parameter vector that this accumulator's sums hold.</summary>
    public int Offset { get; }

    /// <summary>The number of elements in every block's sums and in <see cref="Sum"/>.</summary>
    public int Length { get; }

    /// <summary>L, the leaves of the current step; 0 before <see cref="Start"/>.</summary>
    public int LeafCount { get; private set; }

    /// <summary>Buffers held now, one per complete subtree not yet absorbed (the root's, once the step is complete).</summary>
    public int HeldBuffers => _held.Count;

    /// <summary>Whether every leaf of the step has arrived, so that <see cref="Sum"/> and <see cref="LossSum"/> are final.</summary>
    public bool IsComplete => LeafCount > 0 && _held.ContainsKey(new LeafRange(0, LeafCount));

    /// <summary>The sums over all <see cref="LeafCount"/> leaves, valid until the next <see cref="Start"/>.</summary>
    /// <exception cref="InvalidOperationException">Some leaves have not arrived.</exception>
    public ReadOnlySpan<float> Sum => Root().Sums;

    /// <summary>The loss sum over all <see cref="LeafCount"/> leaves, combined in the same tree as <see cref="Sum"/>.</summary>
    /// <exception cref="InvalidOperationException">Some leaves have not arrived.</exception>
    public double LossSum => Root().Loss;

    /// <summary>Begins a step of <paramref name="leafCount"/> leaves, dropping whatever the previous step left.</summary>
    public void Start(int leafCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(leafCount);
        foreach (var subtree in _held.Values)
        {
            _free.Push(subtree.Sums);
        }

        _held.Clear();
        LeafCount = leafCount;
    }

    /// <summary>
    /// Takes the sums and loss sum of <paramref name="block"/> and adds every pair of sibling subtrees that it completes.
    /// </summary>
    /// <param name="block">A node of the tree over <see cref="LeafCount"/> leaves.</param>
    /// <param name="sums">The block's sums over this accumulator's slice, computed by the streaming form over its leaves.</param>
    /// <param name="lossSum">The block's loss sum.</param>
    /// <returns>False, changing nothing, when some of the block's leaves have already arrived (a duplicate).</returns>
    /// <exception cref="ArgumentException">The block is not a tree node, or the sums are not <see cref="Length"/> long.</exception>
    /// <exception cref="InvalidOperationException">No step has started.</exception>
    public bool Add(LeafRange block, ReadOnlySpan<float> sums, double lossSum)
    {
        if (LeafCount == 0)
        {
            throw new InvalidOperationException($"no step has started ({nameof(Start)})");
        }

        if (!GradientTree.IsNode(block, LeafCount))
        {
            throw new ArgumentException(
                $"{block} is not a node of the reduction tree over {LeafCount} leaves (split worker ranges with {nameof(GradientTree)}.{nameof(GradientTree.AlignedBlocks)})",
                nameof(block));
        }

        if (sums.Length != Length)
        {
            throw new ArgumentException($"the block has {sums.Length} sums; this accumulator holds {Length}", nameof(sums));
        }

        if (HasArrived(block))
        {
            return false;
        }

        // Climb from the block while the sibling subtree is complete. The sums live in the caller's span until the
        // first addition lands in a held buffer, and are copied only if no sibling is there to absorb them.
        float[]? owned = null;
        ReadOnlySpan<float> current = sums;
        var node = block;
        var loss = lossSum;
        var size = (long)BitOperations.RoundUpToPowerOf2((uint)block.Count);
        while (node.Count < LeafCount)
        {
            var isLeft = node.First % (2 * size) == 0;
            if (isLeft && node.First + size >= LeafCount)
            {
                size *= 2; // the right half is empty: the parent is this node itself
                continue;
            }

            var sibling = isLeft
                ? new LeafRange(node.End, (int)Math.Min(node.First + (2 * size), LeafCount))
                : new LeafRange((int)(node.First - size), node.First);
            if (!_held.Remove(sibling, out var other))
            {
                break;
            }

            // Left + right, as GradientTree.Combine adds them, written into the sibling's buffer.
            if (isLeft)
            {
                TensorPrimitives.Add(current, other.Sums, other.Sums);
                loss += other.Loss;
                node = new LeafRange(node.First, sibling.End);
            }
            else
            {
                TensorPrimitives.Add(other.Sums, current, other.Sums);
                loss = other.Loss + loss;
                node = new LeafRange(sibling.First, node.End);
            }

            if (owned is not null)
            {
                _free.Push(owned);
            }

            owned = other.Sums;
            current = owned;
            size *= 2;
        }

        if (owned is null)
        {
            owned = _free.TryPop(out var buffer) ? buffer : new float[Length];
            sums.CopyTo(owned);
        }

        _held.Add(node, new HeldSubtree(owned, loss));
        return true;
    }

    /// <summary>Whether any leaf of <paramref name="block"/> is in a held subtree, which holds every leaf that has arrived.</summary>
    private bool HasArrived(LeafRange block)
    {
        foreach (var range in _held.Keys)
        {
            if (range.First < block.End && block.First < range.End)
            {
                return true;
            }
        }

        return false;
    }

    private HeldSubtree Root() =>
        IsComplete ? _held[new LeafRange(0, LeafCount)] : throw new InvalidOperationException($"the step's {LeafCount} leaves have not all arrived");

    /// <summary>A complete subtree's sums (one buffer of <see cref="Length"/> floats) and loss sum.</summary>
    private readonly record struct HeldSubtree(float[] Sums, double Loss);
}
