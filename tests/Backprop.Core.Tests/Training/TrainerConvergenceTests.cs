using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class TrainerConvergenceTests
{
    [Fact]
    public void Run_Xor_LearnsEveryPoint()
    {
        var data = BuiltInDatasets.Load("xor", seed: 1);
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [8], 2, Activation.Tanh, Activation.Softmax), seed: 1);
        var options = new TrainingOptions(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Adam, 0.05f), ScheduleKind.Constant, 4, 300, 1);

        var last = new Trainer(network, data, options).Run().Last();

        Assert.Equal(1.0, last.Test!.Accuracy);
        Assert.True(last.TrainLoss < 0.05, $"train loss {last.TrainLoss}");
    }

    [Fact]
    public void Run_XorWithSigmoidMseAndPlainSgd_ConvergesLikeTheLecture()
    {
        var data = BuiltInDatasets.Load("xor", seed: 1);
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [4], 2, Activation.Sigmoid, Activation.Sigmoid), seed: 3);
        var options = new TrainingOptions(LossKind.MeanSquaredError, new OptimizerSettings(OptimizerKind.Momentum, 0.5f), ScheduleKind.Constant, 4, 2000, 1);

        var last = new Trainer(network, data, options).Run().Last();

        Assert.Equal(1.0, last.Test!.Accuracy);
    }

    [Fact]
    public void Run_Spirals_ReachesNinetyPercent()
    {
        var data = BuiltInDatasets.Load("spirals", seed: 1);
        var spec = NetworkSpec.Create(data.Train.InputSize, [32, 32], data.Train.TargetSize, Activation.Tanh, Activation.Softmax);
        var network = ParameterInitializer.Initialize(spec, seed: 1);
        var options = new TrainingOptions(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Adam, 0.01f), ScheduleKind.Cosine, 32, 100, 1);

        var last = new Trainer(network, data, options).Run().Last();

        Assert.True(last.Test!.Accuracy >= 0.90, $"test accuracy {last.Test.Accuracy}");
    }

    /// <summary>The fast MNIST run of the suite: 784-64-10, 3 epochs on the 8,000 embedded digits, ≥ 92% on the 2,000 held out.</summary>
    [Fact]
    public void Run_MnistThreeEpochs_ReachesNinetyTwoPercent()
    {
        var data = BuiltInDatasets.Load("mnist", seed: 1);
        var spec = NetworkSpec.Create(784, [64], 10, Activation.Relu, Activation.Softmax);
        var network = ParameterInitializer.Initialize(spec, seed: 1);
        var options = new TrainingOptions(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Adam, 0.002f), ScheduleKind.Constant, 32, 3, 1);

        var reports = new Trainer(network, data, options).Run().ToList();

        Assert.True(reports[^1].Test!.Accuracy >= 0.92, $"test accuracy {reports[^1].Test!.Accuracy}");
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss, "train loss should fall");
    }

    [Fact]
    public void Run_TwoThreads_SameWeightsAsOneThread()
    {
        var data = BuiltInDatasets.Load("spirals", seed: 2);
        var spec = NetworkSpec.Create(data.Train.InputSize, [40, 24], data.Train.TargetSize, Activation.Relu, Activation.Softmax);
        var options = new TrainingOptions(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Adam, 0.01f), ScheduleKind.Cosine, 50, 3, 1);
        var single = ParameterInitializer.Initialize(spec, seed: 4);
        var several = ParameterInitializer.Initialize(spec, seed: 4);

        using (var trainer = new Trainer(single, data, options))
        {
            _ = trainer.Run().ToList();
        }

        using (var trainer = new Trainer(several, data, options with { Threads = 2 }))
        {
            _ = trainer.Run().ToList();
        }

        Assert.Equal(single.Parameters, several.Parameters);
    }
}
