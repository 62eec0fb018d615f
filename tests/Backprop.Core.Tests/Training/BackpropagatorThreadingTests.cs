using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Tests.Kernels;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>The cluster's reproducibility rests on this: the gradient sums do not depend on the thread count.</summary>
public class BackpropagatorThreadingTests
{
    public static TheoryData<int, int> Batches => new() { { 1, 2 }, { 7, 3 }, { 32, 4 }, { 77, 2 }, { 130, 3 }, { 512, 4 } };

    [Theory]
    [MemberData(nameof(Batches))]
    public void ComputeGradientSums_AnyThreadCount_BitIdentical(int rows, int threads)
    {
        var spec = NetworkSpec.Create(50, [37, 20], 10, Activation.Sigmoid, Activation.Softmax);
        var parameters = ParameterInitializer.Initialize(spec, 3).Parameters;
        var random = new Random(rows);
        var inputs = GemmTests.RandomMatrix(random, rows * spec.InputSize);
        var targets = new float[rows * spec.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            targets[(r * spec.OutputSize) + random.Next(spec.OutputSize)] = 1;
        }

        using var single = new Backpropagator(spec, rows, threads: 1);
        using var several = new Backpropagator(spec, rows, threads);
        var expected = new float[spec.ParameterCount];
        var actual = new float[spec.ParameterCount];

        var expectedLoss = single.ComputeGradientSums(parameters, LossKind.CrossEntropy, inputs, targets, rows, expected);
        var actualLoss = several.ComputeGradientSums(parameters, LossKind.CrossEntropy, inputs, targets, rows, actual);

        Assert.Equal(expected, actual);
        Assert.Equal(expectedLoss, actualLoss);
        for (var layer = 0; layer < spec.Layers.Count; layer++)
        {
            Assert.True(single.Deltas(layer, rows).SequenceEqual(several.Deltas(layer, rows)), $"deltas of layer {layer}");
        }
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void ComputeGradientSumsAndStep_AnyThreadCount_SameBitsAsSumsThenWholeStep(int rows, int threads)
    {
        // Arrange: Adam (per-element state, the step count t) with weight decay, shards of 8 rows
        var spec = NetworkSpec.Create(50, [37, 20], 10, Activation.Tanh, Activation.Softmax);
        var settings = new OptimizerSettings(OptimizerKind.Adam, 0.01f, WeightDecay: 0.001f);
        var random = new Random(rows);
        var inputs = GemmTests.RandomMatrix(random, rows * spec.InputSize);
        var targets = new float[rows * spec.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            targets[(r * spec.OutputSize) + random.Next(spec.OutputSize)] = 1;
        }

        var expected = ParameterInitializer.Initialize(spec, 3).Parameters;
        var actual = (float[])expected.Clone();
        var expectedOptimizer = Optimizer.Create(settings, spec.ParameterCount);
        var actualOptimizer = Optimizer.Create(settings, spec.ParameterCount);
        using var separate = new Backpropagator(spec, rows, threads: 1);
        using var fused = new Backpropagator(spec, rows, threads);
        var expectedSums = new float[spec.ParameterCount];
        var actualSums = new float[spec.ParameterCount];

        for (var step = 0; step < 3; step++)
        {
            // Act
            var expectedLoss = separate.ComputeGradientSums(expected, LossKind.CrossEntropy, inputs, targets, rows, 8, expectedSums);
            expectedOptimizer.Step(expected, expectedSums, rows, 0.01f);
            var actualLoss = fused.ComputeGradientSumsAndStep(
                actual, LossKind.CrossEntropy, inputs, targets, rows, 8, actualSums, actualOptimizer.BeginStep(rows, 0.01f));

            // Assert
            Assert.Equal(expectedLoss, actualLoss);
            Assert.Equal(expectedSums, actualSums);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"weights after step {step + 1}");
        }
    }
}
