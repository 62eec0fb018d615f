using Backprop.Core.Losses;
using Backprop.Core.Model;
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
}
