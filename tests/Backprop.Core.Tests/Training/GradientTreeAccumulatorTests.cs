using System.Numerics.Tensors;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// The incremental tree against <see cref="GradientTree.Combine"/>: the same bits for any blocks, arrival order and
/// slice, and never more buffers held than its remarks promise.
/// </summary>
public class GradientTreeAccumulatorTests
{
    /// <summary>Elements per block: not a multiple of any vector width, so every SIMD tail is in play.</summary>
    private const int Values = 37;

    [Fact]
    public void Add_RandomBlocksInRandomOrder_BitIdenticalToCombine()
    {
        var accumulator = new GradientTreeAccumulator(0, Values);
        foreach (var (leafCount, blocks, order) in RandomSteps(new Random(13)))
        {
            // Arrange
            var (expectedSums, expectedLoss) = Combined(leafCount, blocks, 0, Values);
            accumulator.Start(leafCount);

            // Act
            var accepted = order.Select(block => accumulator.Add(block, blocks[block].Sums, blocks[block].Loss)).ToList();

            // Assert
            var where = $"{leafCount} leaves, blocks {string.Join(", ", order)}";
            Assert.All(accepted, Assert.True);
            Assert.True(accumulator.IsComplete, where);
            Assert.True(GradientTreeTests.BitEqual(expectedSums, accumulator.Sum.ToArray()), where);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedLoss), BitConverter.DoubleToInt64Bits(accumulator.LossSum));
        }
    }

    [Theory]
    [InlineData(0, Values)]
    [InlineData(0, 1)]
    [InlineData(5, 16)]
    [InlineData(8, 8)]
    [InlineData(21, 16)]
    [InlineData(36, 1)]
    [InlineData(10, 0)]
    public void Add_Slice_EqualsThatPartOfTheWholeVectorsCombine(int offset, int length)
    {
        var accumulator = new GradientTreeAccumulator(offset, length);
        foreach (var (leafCount, blocks, order) in RandomSteps(new Random(offset + (100 * length))))
        {
            // Arrange: the whole vector's result, from the same blocks
            var (whole, loss) = Combined(leafCount, blocks, 0, Values);
            accumulator.Start(leafCount);

            // Act: each block arrives as its slice only
            foreach (var block in order)
            {
                accumulator.Add(block, blocks[block].Sums.AsSpan(offset, length), blocks[block].Loss);
            }

            // Assert
            Assert.True(GradientTreeTests.BitEqual(whole[offset..(offset + length)], accumulator.Sum.ToArray()), $"{leafCount} leaves");
            Assert.Equal(loss, accumulator.LossSum);
        }
    }

    [Fact]
    public void Add_AnyOrder_HeldBuffersWithinMinOfArrivedAndMissingTimesDepth()
    {
        var accumulator = new GradientTreeAccumulator(0, Values);
        foreach (var (leafCount, blocks, order) in RandomSteps(new Random(31)))
        {
            accumulator.Start(leafCount);
            for (var arrived = 1; arrived <= order.Count; arrived++)
            {
                // Act
                accumulator.Add(order[arrived - 1], blocks[order[arrived - 1]].Sums, 0);

                // Assert: min(B − m, m·D) while m blocks are missing; the root alone at the end
                var missing = blocks.Count - arrived;
                var bound = missing == 0 ? 1 : Math.Min(arrived, missing * Depth(leafCount));
                Assert.True(accumulator.HeldBuffers <= bound, $"{accumulator.HeldBuffers} held with {missing} of {blocks.Count} blocks missing, {leafCount} leaves");
            }
        }
    }

    [Fact]
    public void Add_LeafOrder_HoldsAtMostTreeDepthBuffers()
    {
        var random = new Random(47);
        var accumulator = new GradientTreeAccumulator(0, Values);
        foreach (var leafCount in LeafCounts(random))
        {
            // Arrange: single leaves, the most blocks a step can have
            var blocks = Enumerable.Range(0, leafCount).ToDictionary(leaf => new LeafRange(leaf, leaf + 1), _ => RandomBlock(random));
            accumulator.Start(leafCount);
            var most = 0;

            // Act
            foreach (var block in blocks.Keys.OrderBy(b => b.First))
            {
                accumulator.Add(block, blocks[block].Sums, blocks[block].Loss);
                most = Math.Max(most, accumulator.HeldBuffers);
            }

            // Assert
            Assert.True(most <= Math.Max(1, Depth(leafCount)), $"{most} held for {leafCount} leaves");
        }
    }

    [Fact]
    public void Add_DuplicateOrOverlappingBlock_ReturnsFalseAndLeavesTheSumAlone()
    {
        // Arrange: leaves [0, 4) and [4, 6) of 6, with [4, 6) arriving before, twice and after its halves
        var random = new Random(5);
        var first = RandomBlock(random);
        var second = RandomBlock(random);
        var (expected, _) = Combined(6, new() { [new(0, 4)] = first, [new(4, 6)] = second }, 0, Values);
        var accumulator = new GradientTreeAccumulator(0, Values);
        accumulator.Start(6);

        // Act
        var accepted = new[]
        {
            accumulator.Add(new LeafRange(4, 6), second.Sums, second.Loss),
            accumulator.Add(new LeafRange(4, 6), first.Sums, first.Loss),
            accumulator.Add(new LeafRange(5, 6), first.Sums, first.Loss),
            accumulator.Add(new LeafRange(0, 4), first.Sums, first.Loss),
            accumulator.Add(new LeafRange(0, 4), second.Sums, second.Loss),
        };

        // Assert
        Assert.Equal([true, false, false, true, false], accepted);
        Assert.True(GradientTreeTests.BitEqual(expected, accumulator.Sum.ToArray()));
        Assert.Equal(first.Loss + second.Loss, accumulator.LossSum);
    }

    [Fact]
    public void Start_MidStep_DropsThePartialSumsAndReusesTheirBuffers()
    {
        // Arrange: a step abandoned with three subtrees held
        var random = new Random(9);
        var accumulator = new GradientTreeAccumulator(0, Values);
        accumulator.Start(8);
        foreach (var leaf in new[] { 0, 2, 4 })
        {
            accumulator.Add(new LeafRange(leaf, leaf + 1), RandomBlock(random).Sums, 1);
        }

        var blocks = RandomBlocks(random, 5);
        var (expected, loss) = Combined(5, blocks, 0, Values);

        // Act
        accumulator.Start(5);
        foreach (var block in Shuffled(random, blocks.Keys))
        {
            accumulator.Add(block, blocks[block].Sums, blocks[block].Loss);
        }

        // Assert
        Assert.True(GradientTreeTests.BitEqual(expected, accumulator.Sum.ToArray()));
        Assert.Equal(loss, accumulator.LossSum);
    }

    [Fact]
    public void Add_MixedMagnitudes_OrderOfAdditionChangesTheBits()
    {
        // Arrange: a check that the values above can tell the tree from left-to-right addition
        var random = new Random(3);
        var blocks = Enumerable.Range(0, 7).ToDictionary(leaf => new LeafRange(leaf, leaf + 1), _ => RandomBlock(random));
        var sequential = new float[Values];
        foreach (var block in blocks.Values)
        {
            TensorPrimitives.Add(sequential, block.Sums, sequential);
        }

        // Act
        var (tree, _) = Combined(7, blocks, 0, Values);

        // Assert
        Assert.False(GradientTreeTests.BitEqual(sequential, tree));
    }

    [Fact]
    public void Add_BlockNotATreeNode_ThrowsNamingBlock()
    {
        var accumulator = new GradientTreeAccumulator(0, 2);
        accumulator.Start(7);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new LeafRange(0, 3), new float[2], 0));

        Assert.Equal("block", error.ParamName);
        Assert.Contains("leaves [0, 3) is not a node", error.Message);
    }

    [Fact]
    public void Add_SumsOfAnotherLength_ThrowsNamingSums()
    {
        var accumulator = new GradientTreeAccumulator(4, 2);
        accumulator.Start(7);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(new LeafRange(0, 4), new float[3], 0));

        Assert.Equal("sums", error.ParamName);
    }

    [Fact]
    public void Add_BeforeStart_Throws()
    {
        var accumulator = new GradientTreeAccumulator(0, 2);

        Assert.Throws<InvalidOperationException>(() => accumulator.Add(new LeafRange(0, 1), new float[2], 0));
    }

    [Fact]
    public void Sum_LeavesMissing_ThrowsSayingSo()
    {
        var accumulator = new GradientTreeAccumulator(0, 2);
        accumulator.Start(3);
        accumulator.Add(new LeafRange(0, 2), new float[2], 0);

        var error = Assert.Throws<InvalidOperationException>(() => accumulator.LossSum);

        Assert.Contains("have not all arrived", error.Message);
    }

    /// <summary>Small counts exhaustively, then random ones up to a few thousand leaves.</summary>
    private static IEnumerable<int> LeafCounts(Random random) =>
        Enumerable.Range(1, 40).Concat([63, 64, 65, 127, 128, 129]).Concat(Enumerable.Range(0, 12).Select(_ => random.Next(130, 5000)));

    /// <summary>Steps of many leaf counts, each with random blocks (<see cref="RandomBlocks"/>) in a random order.</summary>
    private static IEnumerable<(int LeafCount, Dictionary<LeafRange, Block> Blocks, List<LeafRange> Order)> RandomSteps(Random random) =>
        LeafCounts(random).SelectMany(leafCount => Enumerable.Range(0, 6).Select(_ =>
        {
            var blocks = RandomBlocks(random, leafCount);
            return (leafCount, blocks, Shuffled(random, blocks.Keys));
        }));

    /// <summary>Tree nodes tiling [0, L): AlignedBlocks over worker ranges cut at random points.</summary>
    private static Dictionary<LeafRange, Block> RandomBlocks(Random random, int leafCount)
    {
        var cuts = Enumerable.Range(0, random.Next(0, 9)).Select(_ => random.Next(1, Math.Max(2, leafCount)))
            .Where(cut => cut < leafCount).Append(0).Append(leafCount).Distinct().Order().ToList();
        return cuts.Zip(cuts.Skip(1))
            .SelectMany(range => GradientTree.AlignedBlocks(range.First, range.Second, leafCount))
            .ToDictionary(block => block, _ => RandomBlock(random));
    }

    /// <summary>Values from 1e-8 to 1e8 of either sign, so that every association of additions rounds differently.</summary>
    private static Block RandomBlock(Random random)
    {
        double Next() => (random.Next(2) * 2 - 1) * (1 + random.NextDouble()) * Math.Pow(10, random.Next(-8, 9));
        return new Block([.. Enumerable.Range(0, Values).Select(_ => (float)Next())], Next());
    }

    /// <summary>The reference: <see cref="GradientTree.Combine"/> over copies of elements [offset, offset + length) of each block.</summary>
    private static (float[] Sums, double Loss) Combined(int leafCount, Dictionary<LeafRange, Block> blocks, int offset, int length)
    {
        var sums = GradientTree.Combine(leafCount, blocks.ToDictionary(b => b.Key, b => b.Value.Sums[offset..(offset + length)]), (left, right) =>
        {
            TensorPrimitives.Add(left, right, left);
            return left;
        });
        return (sums, GradientTree.Combine(leafCount, blocks.ToDictionary(b => b.Key, b => b.Value.Loss), (left, right) => left + right));
    }

    private static List<LeafRange> Shuffled(Random random, IEnumerable<LeafRange> blocks)
    {
        var order = blocks.ToArray();
        random.Shuffle(order);
        return [.. order];
    }

    /// <summary>D = ⌈log2 L⌉, the levels below the root.</summary>
    private static int Depth(int leafCount) => leafCount <= 1 ? 0 : 32 - int.LeadingZeroCount(leafCount - 1);

    private sealed record Block(float[] Sums, double Loss);
}
