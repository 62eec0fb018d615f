using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class TrainerValidationTests
{
    private static readonly TrainingOptions Options =
        new(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Sgd, 0.1f), ScheduleKind.Constant, 2, 1, 1);

    [Fact]
    public void Constructor_DataWithOtherFeatureCount_NamesDataFlag()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(3, [], 2, Activation.Identity, Activation.Softmax), 1);
        var data = BuiltInDatasets.Load("xor", 1);

        var error = Assert.Throws<InvalidInputException>(() => new Trainer(network, data, Options));

        Assert.Contains("--data", error.Message);
        Assert.Contains("2 features", error.Message);
    }

    [Fact]
    public void Constructor_LossOutputMismatch_NamesLossFlag()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Identity, Activation.Identity), 1);

        var error = Assert.Throws<InvalidInputException>(() => new Trainer(network, BuiltInDatasets.Load("xor", 1), Options));

        Assert.Contains("--loss", error.Message);
    }

    [Fact]
    public void Constructor_ZeroEpochs_NamesEpochsFlag()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Identity, Activation.Softmax), 1);

        var error = Assert.Throws<InvalidInputException>(() => new Trainer(network, BuiltInDatasets.Load("xor", 1), Options with { Epochs = 0 }));

        Assert.Contains("--epochs", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-64)]
    public void Constructor_NonPositiveShardSize_NamesShardSizeFlag(int shardSize)
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Identity, Activation.Softmax), 1);

        var error = Assert.Throws<InvalidInputException>(() => new Trainer(network, BuiltInDatasets.Load("xor", 1), Options with { ShardSize = shardSize }));

        Assert.Equal($"--shard-size: must be > 0, got {shardSize}", error.Message);
    }

    [Fact]
    public void Options_ShardSizeNotGiven_Is64Rows()
    {
        Assert.Equal(64, Options.ShardSize);
        Assert.Equal(64, TrainingOptions.DefaultShardSize);
    }

    [Fact]
    public void Run_LastBatchSmaller_StepsPerEpochRoundUp()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Identity, Activation.Softmax), 1);

        var trainer = new Trainer(network, BuiltInDatasets.Load("xor", 1), Options with { BatchSize = 3 });

        Assert.Equal(2, trainer.BatchesPerEpoch);
    }
}
