using System.Numerics.Tensors;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Tests.Reference;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// Sums per micro-shard (leaf) added along the <see cref="GradientTree"/>: the cluster's guarantee that
/// the weights do not depend on how leaves are spread over workers, threads or arrival order.
/// </summary>
public class BackpropagatorShardTests
{
    /// <summary>
    /// Against the float64 reference, per parameter: 1e-5 of Σ_rows |∂L_r/∂θ| (at least 1). Float32
    /// rounding of ≤ 200 O(1) terms in any association is ~1e-6 of that sum; a lost or doubled leaf is
    /// off by a whole leaf's share.
    /// </summary>
    private const double ReferenceTolerance = 1e-5;

    /// <summary>ReLU pre-activations kept this far from 0, so float32 and float64 agree on every kink.</summary>
    private const double ReluKinkMargin = 1e-4;

    /// <summary>Worker splits tried where there are too many to try all.</summary>
    private const int SampledSplits = 100;

    private static readonly int[][] Shapes =
    [
        NetworkCases.SmallNetwork,      // 3-5-4-3
        [7, 37, 20, 10],                // widths that are no multiple of any vector
        [2, 1],                         // no hidden layer, one output: spans shorter than a vector
        [40, 33, 2],
        [300, 260, 10],                 // several column blocks of the weight gradient per leaf
    ];

    /// <summary>Shape, hidden, output, loss, rows, shard size: leaf counts from 1 to 200, partial last leaves.</summary>
    public static TheoryData<int, Activation, Activation, LossKind, int, int> Cases => new()
    {
        { 0, Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 1, 1 },
        { 0, Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 7, 3 },
        { 0, Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 64, 8 },
        { 0, Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 9, 1 },
        { 0, Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 130, 16 },
        { 0, Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 200, 64 },
        { 0, Activation.Identity, Activation.Tanh, LossKind.MeanSquaredError, 33, 4 },
        { 1, Activation.Tanh, Activation.Softmax, LossKind.MeanSquaredError, 37, 5 },
        { 1, Activation.Tanh, Activation.Softmax, LossKind.MeanSquaredError, 100, 7 },
        { 1, Activation.Relu, Activation.Identity, LossKind.MeanSquaredError, 57, 57 },
        { 2, Activation.Sigmoid, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 13, 2 },
        { 2, Activation.Sigmoid, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 200, 1 },
        { 3, Activation.Tanh, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 150, 11 },
        { 3, Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 5, 6 },
        { 3, Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 190, 3 },
        { 4, Activation.Sigmoid, Activation.Softmax, LossKind.CrossEntropy, 64, 8 },
        { 4, Activation.Tanh, Activation.Sigmoid, LossKind.MeanSquaredError, 200, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeGradientSums_ShardSizeAtLeastRows_SameBitsAsSingleLeafOverload(int shape, Activation hidden, Activation output, LossKind loss, int rows, int shardSize)
    {
        // Arrange
        _ = shardSize;
        var problem = Problem(shape, hidden, output, loss, rows);
        using var singleLeaf = new Backpropagator(problem.Spec, rows);
        var expected = new float[problem.Spec.ParameterCount];
        var expectedLoss = singleLeaf.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, rows, expected);

        foreach (var atLeastRows in new[] { rows, rows + 1, 3 * rows, int.MaxValue })
        {
            // Act
            var actual = Sums(problem, atLeastRows);

            // Assert
            AssertSameBits((expected, expectedLoss), actual, $"shard size {atLeastRows}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeGradientSums_AlignedBlocksCombined_SameBitsAsWholeBatch(int shape, Activation hidden, Activation output, LossKind loss, int rows, int shardSize)
    {
        // Arrange
        var problem = Problem(shape, hidden, output, loss, rows);
        var spec = problem.Spec;
        using var pass = new Backpropagator(spec, rows, shardSize: shardSize);
        var whole = new float[spec.ParameterCount];
        var wholeLoss = pass.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, rows, shardSize, whole);
        var leafCount = GradientTree.LeafCount(rows, shardSize);
        var blockSums = new Dictionary<LeafRange, (float[] Gradients, double Loss)>();
        (float[], double) BlockSums(LeafRange block)
        {
            if (!blockSums.TryGetValue(block, out var sums))
            {
                // A worker holds only its block's rows.
                var first = block.First * shardSize;
                var count = Math.Min(block.End * shardSize, rows) - first;
                var gradients = new float[spec.ParameterCount];
                var lossSum = pass.ComputeGradientSums(
                    problem.Parameters, loss,
                    problem.Inputs.AsSpan(first * spec.InputSize, count * spec.InputSize), problem.Targets.AsSpan(first * spec.OutputSize, count * spec.OutputSize),
                    count, shardSize, gradients);
                blockSums[block] = sums = (gradients, lossSum);
            }

            return sums;
        }

        foreach (var split in Splits(leafCount, new Random(rows)))
        {
            var blocks = split.SelectMany(range => GradientTree.AlignedBlocks(range.First, range.End, leafCount)).ToList();

            // Act
            var gradients = GradientTree.Combine(leafCount, blocks.ToDictionary(b => b, b => (float[])BlockSums(b).Item1.Clone()), AddInPlace);
            var lossSum = GradientTree.Combine(leafCount, blocks.ToDictionary(b => b, b => BlockSums(b).Item2), (l, r) => l + r);

            // Assert
            AssertSameBits((whole, wholeLoss), (gradients, lossSum), $"{leafCount} leaves as blocks {string.Join(", ", blocks)}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeGradientSums_AnyThreadCount_SameBits(int shape, Activation hidden, Activation output, LossKind loss, int rows, int shardSize)
    {
        // Arrange
        var problem = Problem(shape, hidden, output, loss, rows);
        var expected = Sums(problem, shardSize, threads: 1);

        for (var threads = 2; threads <= 4; threads++)
        {
            // Act
            var actual = Sums(problem, shardSize, threads);

            // Assert
            AssertSameBits(expected, actual, $"{threads} threads");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ComputeGradientSums_Shards_CloseToFloat64Reference(int shape, Activation hidden, Activation output, LossKind loss, int rows, int shardSize)
    {
        // Arrange
        var problem = Problem(shape, hidden, output, loss, rows);
        var (expected, expectedLoss) = problem.ReferenceGradientSums();
        var magnitudes = problem.ReferenceGradientMagnitudes();

        // Act
        var (actual, lossSum) = Sums(problem, shardSize);

        // Assert
        ApproxAssert.AllCloseAt(expected, RandomProblem.Widen(actual), p => ReferenceTolerance * Math.Max(1, magnitudes[p]),
            p => NetworkCases.DescribeParameter(problem.Spec, p), $"{problem.Spec} {loss.ToName()}, {rows} rows in shards of {shardSize}");
        ApproxAssert.Close(expectedLoss, lossSum, ReferenceTolerance * Math.Max(1, Math.Abs(expectedLoss)), "loss sum");
    }

    [Fact]
    public void ComputeGradientSums_ZeroShardSize_ThrowsNamingIt()
    {
        // Arrange
        var problem = Problem(0, Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 2);
        using var pass = new Backpropagator(problem.Spec, 2);

        // Act
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            pass.ComputeGradientSums(problem.Parameters, problem.Loss, problem.Inputs, problem.Targets, 2, 0, new float[problem.Spec.ParameterCount]));

        // Assert
        Assert.Equal("shardSize", error.ParamName);
    }

    [Fact]
    public void Constructor_ZeroShardSize_ThrowsNamingIt()
    {
        var spec = NetworkSpec.Create(3, [4], 2, Activation.Tanh, Activation.Softmax);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Backpropagator(spec, 8, shardSize: 0));

        Assert.Equal("shardSize", error.ParamName);
    }

    /// <summary>The gradient and loss sums of the whole problem, by a fresh instance that was not told the shard size.</summary>
    private static (float[] Gradients, double Loss) Sums(RandomProblem problem, int shardSize, int threads = 1)
    {
        using var pass = new Backpropagator(problem.Spec, problem.Rows, threads);
        var gradients = new float[problem.Spec.ParameterCount];
        var loss = pass.ComputeGradientSums(problem.Parameters, problem.Loss, problem.Inputs, problem.Targets, problem.Rows, shardSize, gradients);
        return (gradients, loss);
    }

    private static void AssertSameBits((float[] Gradients, double Loss) expected, (float[] Gradients, double Loss) actual, string what)
    {
        Assert.True(GradientTreeTests.BitEqual(expected.Gradients, actual.Gradients), $"gradient sums differ: {what}");
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected.Loss) == BitConverter.DoubleToInt64Bits(actual.Loss),
            $"loss sums differ, {expected.Loss:R} vs {actual.Loss:R}: {what}");
    }

    private static RandomProblem Problem(int shape, Activation hidden, Activation output, LossKind loss, int rows) =>
        RandomProblem.Create(Shapes[shape], hidden, output, loss, rows, seed: (1000 * shape) + rows, reluKinkMargin: ReluKinkMargin);

    /// <summary>Every split into 1–4 worker ranges where there are few leaves, else a seeded sample of them.</summary>
    private static IEnumerable<List<(int First, int End)>> Splits(int leafCount, Random random)
    {
        if (leafCount <= 10)
        {
            return GradientTreeTests.WorkerSplits(leafCount, maxWorkers: 4);
        }

        return Enumerable.Range(0, SampledSplits).Select(_ =>
        {
            var workers = Math.Min(random.Next(1, 5), leafCount);
            var cuts = Enumerable.Range(1, leafCount - 1).OrderBy(_ => random.Next()).Take(workers - 1).Order().Append(leafCount).ToList();
            var start = 0;
            return cuts.Select(end => (start, start = end)).ToList();
        });
    }

    private static float[] AddInPlace(float[] left, float[] right)
    {
        TensorPrimitives.Add(left, right, left);
        return left;
    }
}
