using Backprop.Core;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using Backprop.Protocol;
using V1 = Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Protocol;

public class TrainingConverterTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Adam)]
    public void OptimizerKind_ToProtoAndBack_IsTheSame(OptimizerKind kind) =>
        Assert.Equal(kind, TrainingConverter.OptimizerKindFrom(TrainingConverter.OptimizerKindToProto(kind), "kind"));

    [Theory]
    [InlineData(ScheduleKind.Constant)]
    [InlineData(ScheduleKind.StepDecay)]
    [InlineData(ScheduleKind.Cosine)]
    public void ScheduleKind_ToProtoAndBack_IsTheSame(ScheduleKind kind) =>
        Assert.Equal(kind, TrainingConverter.ScheduleKindFrom(TrainingConverter.ScheduleKindToProto(kind), "schedule"));

    [Theory]
    [InlineData(V1.OptimizerKind.Unspecified)]
    [InlineData((V1.OptimizerKind)42)]
    public void OptimizerKindFrom_UnspecifiedOrUnknown_NamesTheField(V1.OptimizerKind kind) =>
        Assert.StartsWith("training.optimizer.kind: unknown optimizer kind", Assert.Throws<InvalidInputException>(() => TrainingConverter.OptimizerKindFrom(kind, "training.optimizer.kind")).Message);

    [Fact]
    public void ScheduleKindFrom_Unknown_NamesTheField() =>
        Assert.StartsWith("training.schedule: unknown schedule kind 7", Assert.Throws<InvalidInputException>(() => TrainingConverter.ScheduleKindFrom((V1.ScheduleKind)7, "training.schedule")).Message);

    [Fact]
    public void TrainingSettingsToProto_EveryOption_IsSetExplicitly()
    {
        var options = new TrainingOptions(
            LossKind.MeanSquaredError,
            new OptimizerSettings(OptimizerKind.Momentum, 0.05f, Momentum: 0.8f, Nesterov: true, Beta1: 0.7f, Beta2: 0.95f, Epsilon: 1e-6f, WeightDecay: 0.01f),
            ScheduleKind.StepDecay, BatchSize: 48, Epochs: 7, Seed: 9, Shuffle: false, DecayEveryEpochs: 3, DecayFactor: 0.25f, Threads: 1, ShardSize: 16);

        var proto = TrainingConverter.TrainingSettingsToProto(options);

        Assert.Equal(V1.Loss.MeanSquaredError, proto.Loss);
        Assert.Equal((V1.OptimizerKind.Momentum, 0.05f, 0.8f, true), (proto.Optimizer.Kind, proto.Optimizer.LearningRate, proto.Optimizer.Momentum, proto.Optimizer.Nesterov));
        Assert.Equal((0.7f, 0.95f, 1e-6f, 0.01f), (proto.Optimizer.Beta1, proto.Optimizer.Beta2, proto.Optimizer.Epsilon, proto.Optimizer.WeightDecay));
        Assert.Equal((V1.ScheduleKind.StepDecay, 48, 7, 9), (proto.Schedule, proto.BatchSize, proto.Epochs, proto.Seed));
        Assert.True(proto.HasShuffle);
        Assert.False(proto.Shuffle);
        Assert.Equal((3, 0.25f, 16), (proto.DecayEveryEpochs, proto.DecayFactor, proto.ShardSize));
    }
}
