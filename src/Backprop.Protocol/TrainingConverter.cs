using Backprop.Core;
using CoreOptimizers = Backprop.Core.Optimizers;

namespace Backprop.Protocol;

/// <summary>Training settings between Core and protobuf: the options of a run, the optimizer kind and the schedule kind.</summary>
public static class TrainingConverter
{
    /// <summary>Every field of <paramref name="options"/>, set explicitly (a receiver's defaults for unset fields never apply).</summary>
    public static V1.TrainingSettings TrainingSettingsToProto(Core.Training.TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new V1.TrainingSettings
        {
            Loss = ModelConverter.LossToProto(options.Loss),
            Optimizer = new V1.OptimizerSettings
            {
                Kind = OptimizerKindToProto(options.Optimizer.Kind),
                LearningRate = options.Optimizer.LearningRate,
                Momentum = options.Optimizer.Momentum,
                Nesterov = options.Optimizer.Nesterov,
                Beta1 = options.Optimizer.Beta1,
                Beta2 = options.Optimizer.Beta2,
                Epsilon = options.Optimizer.Epsilon,
                WeightDecay = options.Optimizer.WeightDecay,
            },
            Schedule = ScheduleKindToProto(options.Schedule),
            BatchSize = options.BatchSize,
            Epochs = options.Epochs,
            Seed = options.Seed,
            Shuffle = options.Shuffle,
            DecayEveryEpochs = options.DecayEveryEpochs,
            DecayFactor = options.DecayFactor,
            ShardSize = options.ShardSize,
            EarlyStopping = options.EarlyStoppingPatience,
        };
    }

    /// <summary>The protobuf value of <paramref name="kind"/>.</summary>
    public static V1.OptimizerKind OptimizerKindToProto(CoreOptimizers.OptimizerKind kind) => kind switch
    {
        CoreOptimizers.OptimizerKind.Sgd => V1.OptimizerKind.Sgd,
        CoreOptimizers.OptimizerKind.Momentum => V1.OptimizerKind.Momentum,
        CoreOptimizers.OptimizerKind.Adam => V1.OptimizerKind.Adam,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
    };

    /// <summary>The Core value of <paramref name="kind"/>; unspecified or unknown throws <see cref="InvalidInputException"/> naming <paramref name="field"/>.</summary>
    public static CoreOptimizers.OptimizerKind OptimizerKindFrom(V1.OptimizerKind kind, string field) => kind switch
    {
        V1.OptimizerKind.Sgd => CoreOptimizers.OptimizerKind.Sgd,
        V1.OptimizerKind.Momentum => CoreOptimizers.OptimizerKind.Momentum,
        V1.OptimizerKind.Adam => CoreOptimizers.OptimizerKind.Adam,
        _ => throw new InvalidInputException($"{field}: unknown optimizer kind {(int)kind} (use OPTIMIZER_KIND_SGD, OPTIMIZER_KIND_MOMENTUM or OPTIMIZER_KIND_ADAM)"),
    };

    /// <summary>The protobuf value of <paramref name="kind"/>.</summary>
    public static V1.ScheduleKind ScheduleKindToProto(CoreOptimizers.ScheduleKind kind) => kind switch
    {
        CoreOptimizers.ScheduleKind.Constant => V1.ScheduleKind.Constant,
        CoreOptimizers.ScheduleKind.StepDecay => V1.ScheduleKind.StepDecay,
        CoreOptimizers.ScheduleKind.Cosine => V1.ScheduleKind.Cosine,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown schedule"),
    };

    /// <summary>The Core value of <paramref name="kind"/>; unspecified or unknown throws <see cref="InvalidInputException"/> naming <paramref name="field"/>.</summary>
    public static CoreOptimizers.ScheduleKind ScheduleKindFrom(V1.ScheduleKind kind, string field) => kind switch
    {
        V1.ScheduleKind.Constant => CoreOptimizers.ScheduleKind.Constant,
        V1.ScheduleKind.StepDecay => CoreOptimizers.ScheduleKind.StepDecay,
        V1.ScheduleKind.Cosine => CoreOptimizers.ScheduleKind.Cosine,
        _ => throw new InvalidInputException($"{field}: unknown schedule kind {(int)kind} (use SCHEDULE_KIND_CONSTANT, SCHEDULE_KIND_STEP_DECAY or SCHEDULE_KIND_COSINE)"),
    };
}
