using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Core.Training;

/// <summary>
/// The fixed reduction tree over a batch's micro-shards (leaves) that makes summed gradients the same
/// bits however the leaves are spread over workers and threads, and in whatever order they arrive.
/// </summary>
/// <remarks>
/// <para>A batch of <c>rows</c> samples has L = ⌈rows / shardSize⌉ leaves; leaf i holds rows
/// [i·shardSize, min((i + 1)·shardSize, rows)) and its sum is taken over those rows alone.</para>
/// <para>The tree's nodes are the ranges [s, s + 2^k) with s a multiple of 2^k, clipped to [0, L); an
/// empty node does not exist, and a node whose right half is empty is its left half (no addition).
/// Sum(node) = Sum(left) + Sum(right). Float addition is commutative but not associative, so fixing
/// the tree fixes every bit of the result.</para>
/// <para>Streaming form (what <see cref="Backpropagator"/> computes): push each leaf's sum; while the top
/// two entries cover the same number of leaves, replace them by their sum; at the end fold the stack
/// from the top, s0 + (s1 + (… + sm)). Over the leaves of a tree node, such as a block from
/// <see cref="AlignedBlocks"/>, it gives exactly that node's sum; <see cref="Combine"/> finishes the tree
/// from such blocks, and <see cref="GradientTreeAccumulator"/> does the same incrementally as they arrive.</para>
/// </remarks>
public static class GradientTree
{
    /// <summary>Stack slots that any batch can need: an int count of leaves has at most 31 bits.</summary>
    internal const int MaxStackDepth = 32;

    /// <summary>L = ⌈<paramref name="rows"/> / <paramref name="shardSize"/>⌉, the leaves of a batch.</summary>
    public static int LeafCount(int rows, int shardSize)
    {
        if (rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be ≥ 0");
        }

        if (shardSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shardSize), shardSize, "shardSize must be > 0");
        }

        return (rows / shardSize) + (rows % shardSize == 0 ? 0 : 1);
    }

    /// <summary>
    /// Splits leaves [<paramref name="first"/>, <paramref name="end"/>) of a batch of <paramref name="leafCount"/>
    /// leaves into the fewest tree nodes, in order: from each start, the largest clipped node that
    /// begins there and ends by <paramref name="end"/>. An empty range gives no blocks.
    /// </summary>
    public static IReadOnlyList<LeafRange> AlignedBlocks(int first, int end, int leafCount)
    {
        if (leafCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(leafCount), leafCount, "leafCount must be ≥ 0");
        }

        if (first < 0 || first > leafCount)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first must be in 0..{leafCount} (leafCount)");
        }

        if (end < first || end > leafCount)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"end must be in {first}..{leafCount} (first..leafCount)");
        }

        var blocks = new List<LeafRange>();
        for (var start = first; start < end;)
        {
            // Double the node while it stays aligned at start, still grows after clipping, and ends by end.
            long size = 1;
            while (start % (2 * size) == 0 && start + size < leafCount && Math.Min(start + (2 * size), leafCount) <= end)
            {
                size *= 2;
            }

            var stop = (int)Math.Min(start + size, leafCount);
            blocks.Add(new LeafRange(start, stop));
            start = stop;
        }

        return blocks;
    }

    /// <summary>
    /// Finishes the tree over <paramref name="leafCount"/> leaves from the sums of <paramref name="blocks"/>:
    /// tree nodes (keys clipped to [0, leafCount), as <see cref="AlignedBlocks"/> gives them) that cover
    /// every leaf exactly once. The result is the same bits for any such set of blocks.
    /// </summary>
    /// <param name="leafCount">L, the leaves of the batch.</param>
    /// <param name="blocks">Each block's sum, computed by the streaming form over the block's leaves.</param>
    /// <param name="add">Left + right; may write into and return its left argument (each block sum is passed to it at most once).</param>
    /// <exception cref="InvalidOperationException">A block that is not a tree node, blocks that overlap, or leaves no block covers.</exception>
    public static T Combine<T>(int leafCount, IReadOnlyDictionary<LeafRange, T> blocks, Func<T, T, T> add)
    {
        if (leafCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(leafCount), leafCount, "leafCount must be > 0");
        }

        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(add);
        CheckTiling(leafCount, blocks.Keys);
        return NodeSum(0, BitOperations.RoundUpToPowerOf2((uint)leafCount), leafCount, blocks, add);
    }

    /// <summary>Stack slots the streaming form needs at once for <paramref name="leafCount"/> leaves: ⌊log2 L⌋ + 1.</summary>
    internal static int StackDepth(int leafCount) => leafCount <= 1 ? 1 : BitOperations.Log2((uint)leafCount) + 1;

    /// <summary>
    /// The streaming form over the leaves of <paramref name="rows"/> rows, in order: each leaf's sum goes
    /// to the slot on top of the stack; while the top two slots cover equal numbers of leaves they are
    /// added (all such additions after a leaf as one chain). After the last leaf, those additions and the
    /// fold of the stack are one chain, s0 + (s1 + (… + sm)), which the owner finishes where it likes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Reduce<TSums>(int rows, int shardSize, ref TSums sums)
        where TSums : ILeafSums, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        Span<int> leaves = stackalloc int[MaxStackDepth]; // leaves covered by each occupied slot
        var top = -1;
        for (var first = 0; first < rows; first += shardSize)
        {
            leaves[++top] = 1;
            sums.SumLeaf(top, first, Math.Min(shardSize, rows - first));
            if (rows - first <= shardSize)
            {
                break; // the last leaf: its merges belong to the final chain
            }

            var into = top;
            while (into > 0 && leaves[into - 1] == leaves[into])
            {
                leaves[into - 1] += leaves[into];
                into--;
            }

            if (into < top)
            {
                sums.AddChain(into, top);
                top = into;
            }
        }

        sums.Finish(top);
    }

    /// <summary>Whether <paramref name="range"/> is a (clipped) node of the tree over <paramref name="leafCount"/> leaves.</summary>
    public static bool IsNode(LeafRange range, int leafCount)
    {
        if (range.Count <= 0 || range.First < 0 || range.End > leafCount)
        {
            return false;
        }

        // The smallest aligned range that can clip to this one; a larger one aligned at First clips to the same.
        var size = (long)BitOperations.RoundUpToPowerOf2((uint)range.Count);
        return range.First % size == 0 && Math.Min(range.First + size, leafCount) == range.End;
    }

    private static T NodeSum<T>(int first, long size, int leafCount, IReadOnlyDictionary<LeafRange, T> blocks, Func<T, T, T> add)
    {
        var range = new LeafRange(first, (int)Math.Min(first + size, leafCount));
        if (blocks.TryGetValue(range, out var sum))
        {
            return sum;
        }

        if (size == 1)
        {
            throw new InvalidOperationException($"no block covers {range}");
        }

        var half = size / 2;
        return first + half >= leafCount
            ? NodeSum(first, half, leafCount, blocks, add)
            : add(NodeSum(first, half, leafCount, blocks, add), NodeSum((int)(first + half), half, leafCount, blocks, add));
    }

    /// <summary>Throws unless <paramref name="ranges"/> are tree nodes that cover [0, leafCount) exactly once.</summary>
    private static void CheckTiling(int leafCount, IEnumerable<LeafRange> ranges)
    {
        var next = 0;
        LeafRange? previous = null;
        foreach (var range in ranges.OrderBy(r => r.First).ThenBy(r => r.End))
        {
            if (!IsNode(range, leafCount))
            {
                throw new InvalidOperationException(
                    $"{range} is not a node of the reduction tree over {leafCount} leaves (split worker ranges with {nameof(GradientTree)}.{nameof(AlignedBlocks)})");
            }

            if (range.First < next)
            {
                throw new InvalidOperationException($"blocks {previous} and {range} overlap");
            }

            if (range.First > next)
            {
                throw new InvalidOperationException($"no block covers {new LeafRange(next, range.First)}");
            }

            next = range.End;
            previous = range;
        }

        if (next < leafCount)
        {
            throw new InvalidOperationException($"no block covers {new LeafRange(next, leafCount)}");
        }
    }
}
