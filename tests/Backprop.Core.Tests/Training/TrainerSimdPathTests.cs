using Backprop.Core.Data;
using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// A cluster may mix CPUs of every vector width (AVX-512, AVX2, NEON, none), and a worker's block of a
/// step must give the same bits on each: whole training runs with the kernels forced onto each path.
/// </summary>
public class TrainerSimdPathTests
{
    /// <summary>Layer sizes whose products hit every lane count and tail: k = 37 and 45 (16-lane blocks plus tails), n = 45 and 21.</summary>
    private static readonly int[] LayerSizes = [37, 45, 21, 5];

    private const int Samples = 150;

    public static TheoryData<Activation, Activation, LossKind, int> Cases => new()
    {
        { Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 1 },
        { Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 2 },
        { Activation.Relu, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 1 },
        { Activation.Identity, Activation.Identity, LossKind.MeanSquaredError, 2 },
        { Activation.Sigmoid, Activation.Softmax, LossKind.MeanSquaredError, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_EveryKernelPath_SameWeightsBitForBitAsScalarPath(Activation hidden, Activation output, LossKind loss, int threads)
    {
        // Arrange
        var expected = Train(SimdPath.Scalar, hidden, output, loss, threads);

        foreach (var path in Enum.GetValues<SimdPath>().Where(p => p != SimdPath.Scalar))
        {
            // Act
            var actual = Train(path, hidden, output, loss, threads);

            // Assert
            var firstDifference = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(
                firstDifference == expected.Length,
                $"{path}: parameter {firstDifference} is {(firstDifference < actual.Length ? actual[firstDifference] : float.NaN):R}, the scalar path gives {(firstDifference < expected.Length ? expected[firstDifference] : float.NaN):R}");
        }
    }

    /// <summary>Two epochs of Adam in batches of 64 (the last one 22 rows) summed in shards of 16 rows; returns the weights.</summary>
    private static float[] Train(SimdPath path, Activation hidden, Activation output, LossKind loss, int threads)
    {
        var spec = new NetworkSpec(LayerSizes, [hidden, hidden, output]);
        var network = ParameterInitializer.Initialize(spec, seed: 7);
        var random = new Random(3);
        var inputs = Enumerable.Range(0, Samples * spec.InputSize).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        var targets = new float[Samples * spec.OutputSize];
        for (var r = 0; r < Samples; r++)
        {
            targets[(r * spec.OutputSize) + random.Next(spec.OutputSize)] = 1;
        }

        var data = new Dataset("random", spec.InputSize, spec.OutputSize, inputs, targets);
        var options = new TrainingOptions(loss, new OptimizerSettings(OptimizerKind.Adam, 0.01f), ScheduleKind.Constant,
            BatchSize: 64, Epochs: 2, Seed: 5, Threads: threads, ShardSize: 16);
        using var trainer = new Trainer(network, new DatasetSplit(data, null), options, path);
        _ = trainer.Run().ToList();
        return network.Parameters;
    }
}
