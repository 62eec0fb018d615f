using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Serialization;
using Backprop.Core.Tests.Reference;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// The whole single-process path a user takes with <c>--init-model m.json --optimizer sgd --shuffle false</c>:
/// a model read from JSON, minibatches in file order with a smaller last batch averaged over its own
/// size, against the float64 reference doing the same steps. The shard size only changes the order of
/// float32 additions, so one leaf per batch and several leaves are both near the reference.
/// </summary>
public class TrainerReferenceTests
{
    private const float LearningRate = 0.1f;
    private const int Samples = 7;
    private const int BatchSize = 3; // batches of 3, 3 and 1

    [Theory]
    [InlineData(1, Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, BatchSize)]
    [InlineData(3, Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, BatchSize)]
    [InlineData(2, Activation.Relu, Activation.Sigmoid, LossKind.BinaryCrossEntropy, BatchSize)]
    [InlineData(1, Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 2)]
    [InlineData(3, Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 2)]
    [InlineData(2, Activation.Relu, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 1)]
    public void Run_SgdInFileOrderFromJsonModel_MatchesFloat64Reference(int epochs, Activation hidden, Activation output, LossKind loss, int shardSize)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, Samples, seed: 99);
        var json = new MemoryStream();
        ModelJson.Write(new TrainedModel(new Network(problem.Spec, problem.Parameters), ModelMetadata.None), json);
        json.Position = 0;
        var network = ModelJson.Read(json, "init.json").Network;
        var data = new Dataset("problem", problem.Spec.InputSize, problem.Spec.OutputSize, problem.Inputs, problem.Targets);
        var options = new TrainingOptions(loss, new OptimizerSettings(OptimizerKind.Sgd, LearningRate), ScheduleKind.Constant,
            BatchSize, epochs, Seed: 5, Shuffle: false, ShardSize: shardSize);
        var expected = ReferenceSgdInFileOrder(problem, epochs);

        // Act
        var reports = new Trainer(network, new DatasetSplit(data, null), options).Run().ToList();

        // Assert
        Assert.Equal(epochs, reports.Count);
        for (var p = 0; p < expected.Length; p++)
        {
            var tolerance = 1e-5 * Math.Max(Math.Abs(expected[p]), 0.1);
            Assert.True(Math.Abs(network.Parameters[p] - expected[p]) <= tolerance, $"parameter {p}: expected {expected[p]}, got {network.Parameters[p]}");
        }
    }

    private static double[] ReferenceSgdInFileOrder(RandomProblem problem, int epochs)
    {
        var theta = problem.ParametersF64;
        var inputs = problem.InputsF64;
        var targets = problem.TargetsF64;
        var inputSize = problem.Spec.InputSize;
        var outputSize = problem.Spec.OutputSize;
        var sums = new double[theta.Length];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var start = 0; start < Samples; start += BatchSize)
            {
                var rows = Math.Min(BatchSize, Samples - start);
                problem.Reference.GradientSums(
                    theta, problem.Loss,
                    inputs.AsSpan(start * inputSize, rows * inputSize).ToArray(),
                    targets.AsSpan(start * outputSize, rows * outputSize).ToArray(),
                    rows, sums);
                for (var p = 0; p < theta.Length; p++)
                {
                    theta[p] -= LearningRate * (sums[p] / rows);
                }
            }
        }

        return theta;
    }
}
