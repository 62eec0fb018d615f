using System.Numerics.Tensors;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// The reduction tree against its definition: clipped aligned nodes, Sum(node) = Sum(left) + Sum(right),
/// a node whose right half is empty being its left half.
/// </summary>
public class GradientTreeTests
{
    private const int MaxLeavesExhaustive = 9;

    [Theory]
    [InlineData(0, 4, 0)]
    [InlineData(1, 4, 1)]
    [InlineData(4, 4, 1)]
    [InlineData(5, 4, 2)]
    [InlineData(8, 4, 2)]
    [InlineData(9, 4, 3)]
    [InlineData(512, 64, 8)]
    [InlineData(500, 64, 8)]
    [InlineData(7, 100, 1)]
    [InlineData(int.MaxValue, 1, int.MaxValue)]
    [InlineData(int.MaxValue, int.MaxValue, 1)]
    public void LeafCount_RowsAndShardSize_RoundsUp(int rows, int shardSize, int expected)
    {
        // Act
        var leaves = GradientTree.LeafCount(rows, shardSize);

        // Assert
        Assert.Equal(expected, leaves);
    }

    [Theory]
    [InlineData(-1, 4, "rows")]
    [InlineData(4, 0, "shardSize")]
    [InlineData(4, -2, "shardSize")]
    public void LeafCount_BadArgument_ThrowsNamingIt(int rows, int shardSize, string argument)
    {
        // Act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientTree.LeafCount(rows, shardSize));

        // Assert
        Assert.Equal(argument, error.ParamName);
    }

    [Fact]
    public void AlignedBlocks_EveryRangeUpTo40Leaves_FewestTreeNodesTilingTheRange()
    {
        for (var leafCount = 0; leafCount <= 40; leafCount++)
        {
            var nodes = TreeNodes(leafCount);
            for (var first = 0; first <= leafCount; first++)
            {
                for (var end = first; end <= leafCount; end++)
                {
                    // Act
                    var blocks = GradientTree.AlignedBlocks(first, end, leafCount);

                    // Assert
                    var where = $"[{first}, {end}) of {leafCount}: {string.Join(", ", blocks)}";
                    Assert.All(blocks, b => Assert.True(nodes.Contains(b), $"{b} is not a tree node; {where}"));
                    var next = first;
                    foreach (var block in blocks)
                    {
                        Assert.True(block.First == next && block.Count > 0, $"blocks do not tile the range in order; {where}");
                        next = block.End;
                    }

                    Assert.True(next == end, $"blocks stop at {next}; {where}");
                    Assert.True(blocks.Count == FewestNodes(nodes, first, end), $"not the fewest nodes; {where}");
                }
            }
        }
    }

    [Theory]
    [InlineData(-1, 2, 4, "first")]
    [InlineData(5, 5, 4, "first")]
    [InlineData(3, 2, 4, "end")]
    [InlineData(0, 5, 4, "end")]
    [InlineData(0, 0, -1, "leafCount")]
    public void AlignedBlocks_BadArgument_ThrowsNamingIt(int first, int end, int leafCount, string argument)
    {
        // Act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientTree.AlignedBlocks(first, end, leafCount));

        // Assert
        Assert.Equal(argument, error.ParamName);
        Assert.Contains(argument, error.Message);
    }

    [Fact]
    public void Reduce_EveryLeafCountUpTo70_EqualsRecursiveTreeDefinition()
    {
        for (var leafCount = 1; leafCount <= 70; leafCount++)
        {
            // Arrange
            var leaves = RandomLeafSums(new Random(leafCount), leafCount);
            var sums = new ListSums(leaves);

            // Act
            GradientTree.Reduce(leafCount, 1, ref sums);

            // Assert
            Assert.True(BitEqual(TreeSum(leaves, 0, leafCount), sums.Result), $"{leafCount} leaves");
        }
    }

    [Fact]
    public void Reduce_RowsNotAMultipleOfShardSize_LastLeafHoldsTheRemainder()
    {
        // Arrange: 11 rows in shards of 4 are leaves of 4, 4 and 3 rows
        var sums = new RowRecorder();

        // Act
        GradientTree.Reduce(11, 4, ref sums);

        // Assert
        Assert.Equal([(0, 4), (4, 4), (8, 3)], sums.Leaves);
    }

    [Fact]
    public void Combine_EverySplitIntoOneToFourWorkerRanges_BitIdenticalToWholeTree()
    {
        for (var leafCount = 1; leafCount <= MaxLeavesExhaustive; leafCount++)
        {
            // Arrange
            var leaves = RandomLeafSums(new Random(100 + leafCount), leafCount);
            var expected = TreeSum(leaves, 0, leafCount);
            foreach (var split in WorkerSplits(leafCount, maxWorkers: 4))
            {
                var blocks = new Dictionary<LeafRange, float[]>();
                foreach (var (first, end) in split)
                {
                    foreach (var block in GradientTree.AlignedBlocks(first, end, leafCount))
                    {
                        var sums = new ListSums(leaves[block.First..block.End]);
                        GradientTree.Reduce(block.Count, 1, ref sums);
                        blocks.Add(block, sums.Result);
                    }
                }

                // Act
                var combined = GradientTree.Combine(leafCount, blocks, AddInPlace);

                // Assert
                Assert.True(BitEqual(expected, combined), $"{leafCount} leaves split as {string.Join(" ", split.Select(r => $"[{r.First}, {r.End})"))}");
            }
        }
    }

    [Fact]
    public void Combine_DoubleSums_SameTreeAsFloatVectors()
    {
        // Arrange: the loss sums travel as doubles through the same tree
        var values = new[] { 1e16, 1.0, -1e16, 3.0, 0.5, 1e-3, 7.0 };
        var blocks = new Dictionary<LeafRange, double>
        {
            [new(0, 4)] = (values[0] + values[1]) + (values[2] + values[3]),
            [new(4, 6)] = values[4] + values[5],
            [new(6, 7)] = values[6],
        };

        // Act
        var total = GradientTree.Combine(7, blocks, (l, r) => l + r);

        // Assert
        Assert.Equal(((values[0] + values[1]) + (values[2] + values[3])) + ((values[4] + values[5]) + values[6]), total);
    }

    [Fact]
    public void Combine_TreeOrderMatters_SequentialSumDiffers()
    {
        // Arrange: a check that the inputs above are able to tell one association from another
        var leaves = RandomLeafSums(new Random(7), 7);
        var sequential = (float[])leaves[0].Clone();
        foreach (var leaf in leaves.Skip(1))
        {
            TensorPrimitives.Add(sequential, leaf, sequential);
        }

        // Act
        var tree = TreeSum(leaves, 0, 7);

        // Assert
        Assert.False(BitEqual(sequential, tree));
    }

    [Theory]
    [InlineData("0-4 4-6", "no block covers leaves [6, 7)")]
    [InlineData("0-4 6-7", "no block covers leaves [4, 6)")]
    [InlineData("4-6 6-7", "no block covers leaves [0, 4)")]
    [InlineData("0-4 2-3 4-6 6-7", "blocks leaves [0, 4) and leaves [2, 3) overlap")]
    [InlineData("0-4 4-7 6-7", "blocks leaves [4, 7) and leaves [6, 7) overlap")]
    [InlineData("0-3 3-4 4-7", "leaves [0, 3) is not a node")]
    [InlineData("0-4 4-5 5-7", "leaves [5, 7) is not a node")]
    [InlineData("0-4 4-7 7-8", "leaves [7, 8) is not a node")]
    public void Combine_BlocksNotTilingTheTree_ThrowsNamingTheRange(string ranges, string message)
    {
        // Arrange
        var blocks = ranges.Split(' ').Select(r => r.Split('-').Select(int.Parse).ToArray())
            .ToDictionary(r => new LeafRange(r[0], r[1]), _ => 0.0);

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => GradientTree.Combine(7, blocks, (l, r) => l + r));

        // Assert
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Combine_NoLeaves_ThrowsNamingLeafCount()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientTree.Combine(0, new Dictionary<LeafRange, double>(), (l, r) => l + r));

        Assert.Equal("leafCount", error.ParamName);
    }

    [Fact]
    public void LeafRange_Count_IsEndMinusFirst()
    {
        Assert.Equal(3, new LeafRange(4, 7).Count);
        Assert.Equal("leaves [4, 7)", new LeafRange(4, 7).ToString());
    }

    /// <summary>Every node by the definition: [s, s + 2^k) with s a multiple of 2^k, clipped to [0, L), non-empty.</summary>
    internal static HashSet<LeafRange> TreeNodes(int leafCount)
    {
        var nodes = new HashSet<LeafRange>();
        for (var size = 1; size < 2 * Math.Max(leafCount, 1); size *= 2)
        {
            for (var start = 0; start < leafCount; start += size)
            {
                nodes.Add(new LeafRange(start, Math.Min(start + size, leafCount)));
            }
        }

        return nodes;
    }

    /// <summary>The definition, recursively: the root is the smallest power of two ≥ L clipped to [0, L).</summary>
    internal static float[] TreeSum(IReadOnlyList<float[]> leaves, int first, int size)
    {
        var root = 1;
        while (root < size)
        {
            root *= 2;
        }

        return NodeSum(leaves, first, root);
    }

    internal static bool BitEqual(float[] expected, float[] actual) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));

    /// <summary>Every way to cut [0, L) into 1..maxWorkers non-empty contiguous ranges.</summary>
    internal static IEnumerable<List<(int First, int End)>> WorkerSplits(int leafCount, int maxWorkers)
    {
        // Each subset of the L − 1 inner cut points with fewer than maxWorkers members is one split.
        for (var cuts = 0; cuts < 1 << (leafCount - 1); cuts++)
        {
            if (int.PopCount(cuts) >= maxWorkers)
            {
                continue;
            }

            var split = new List<(int, int)>();
            var start = 0;
            for (var point = 1; point <= leafCount; point++)
            {
                if (point == leafCount || (cuts & (1 << (point - 1))) != 0)
                {
                    split.Add((start, point));
                    start = point;
                }
            }

            yield return split;
        }
    }

    /// <summary>Leaf sums whose magnitudes differ by orders, so that every association of additions rounds differently.</summary>
    private static float[][] RandomLeafSums(Random random, int leafCount) =>
        [.. Enumerable.Range(0, leafCount).Select(_ => Enumerable.Range(0, 33)
            .Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4))))
            .ToArray())];

    private static float[] NodeSum(IReadOnlyList<float[]> leaves, int first, int size)
    {
        if (size == 1)
        {
            return (float[])leaves[first].Clone();
        }

        var half = size / 2;
        return first + half >= leaves.Count
            ? NodeSum(leaves, first, half)
            : AddInPlace(NodeSum(leaves, first, half), NodeSum(leaves, first + half, half));
    }

    private static float[] AddInPlace(float[] left, float[] right)
    {
        TensorPrimitives.Add(left, right, left);
        return left;
    }

    /// <summary>The least number of tree nodes that tile [first, end): shortest path over node boundaries.</summary>
    private static int FewestNodes(HashSet<LeafRange> nodes, int first, int end)
    {
        var fewest = new int[end + 1];
        Array.Fill(fewest, int.MaxValue);
        fewest[first] = 0;
        for (var start = first; start < end; start++)
        {
            if (fewest[start] == int.MaxValue)
            {
                continue;
            }

            foreach (var node in nodes.Where(n => n.First == start && n.End <= end))
            {
                fewest[node.End] = Math.Min(fewest[node.End], fewest[start] + 1);
            }
        }

        return fewest[end];
    }

    /// <summary>Leaf sums given up front, one per row (shard size 1), added in float vectors.</summary>
    private struct ListSums(float[][] leaves) : ILeafSums
    {
        private readonly List<float[]> _slots = [];

        public readonly float[] Result => _slots[0];

        public readonly void SumLeaf(int slot, int first, int rows)
        {
            Assert.Equal(1, rows);
            if (slot == _slots.Count)
            {
                _slots.Add([]);
            }

            _slots[slot] = (float[])leaves[first].Clone();
        }

        public readonly void AddChain(int into, int top)
        {
            var sum = _slots[top];
            for (var slot = top - 1; slot >= into; slot--)
            {
                sum = AddInPlace((float[])_slots[slot].Clone(), sum);
            }

            _slots[into] = sum;
        }

        public readonly void Finish(int top) => AddChain(0, top);
    }

    /// <summary>Records the rows of each leaf.</summary>
    private readonly struct RowRecorder() : ILeafSums
    {
        public List<(int First, int Rows)> Leaves { get; } = [];

        public void SumLeaf(int slot, int first, int rows) => Leaves.Add((first, rows));

        public void AddChain(int into, int top)
        {
        }

        public void Finish(int top)
        {
        }
    }
}
