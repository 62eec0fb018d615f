using System.Globalization;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Server.Trainer;
using V1 = Backprop.Protocol.V1;

namespace Backprop.Server.Jobs;

/// <summary>
/// Turns a <c>SubmitJob</c> request into a validated <see cref="JobRequest"/>, or refuses it with a
/// <see cref="RequestRejectedException"/> that names the first bad field by its proto path
/// (e.g. <c>training.optimizer.learning_rate</c>).
/// </summary>
/// <remarks>
/// <para>Rules, as <c>trainer.proto</c> states them: a <c>TrainingSettings</c> field left at 0 (or a message left
/// unset) takes the default of <c>backprop train</c>; a negative or non-finite value is rejected. Enum values
/// <c>*_UNSPECIFIED</c> take the default too (adam, cosine, and the loss that suits the output activation); numbers
/// the proto does not define are rejected.</para>
/// <para><c>training.seed</c> 0 takes the default seed 1: proto3 cannot tell an unset int from 0, so a job cannot
/// ask for seed 0 (seed 1 is what <c>backprop train</c> uses when no seed is given, so results match it). For the same
/// reason a <c>momentum</c>, <c>beta1</c>, <c>beta2</c> or <c>epsilon</c> of 0 takes its default (0.9, 0.9, 0.999, 1e-8):
/// for momentum 0 ask for <c>OPTIMIZER_KIND_SGD</c>.</para>
/// <para>Sizes that come from the dataset (<c>spec.input_size</c> 0, a last layer of 0 outputs) are checked against
/// <see cref="TrainerOptions.MaxParameters"/> as far as they are known here, and again by
/// <see cref="JobNetworkFactory"/> once the dataset is loaded.</para>
/// </remarks>
public static class JobRequestReader
{
    /// <summary>Largest layer or input size accepted: anything above it is a typo, not a network.</summary>
    public const int MaxLayerSize = 1 << 20;

    /// <summary>Largest <c>training.batch_size</c>.</summary>
    public const int MaxBatchSize = 1 << 20;

    /// <summary>Largest <c>training.epochs</c>.</summary>
    public const int MaxEpochs = 1 << 20;

    /// <summary>Largest <c>training.shard_size</c>.</summary>
    public const int MaxShardSize = 1 << 20;

    /// <summary>Longest job name, in UTF-16 characters.</summary>
    public const int MaxNameLength = 200;

    private const string SpecField = "spec";
    private const string InitialModelField = "initial_model";
    private const string TrainingField = "training";
    private const string OptimizerField = "training.optimizer";

    /// <summary>
    /// The defaults of <c>backprop train</c> (see its <c>TrainFlags</c>); the optimizer's betas, epsilon, momentum and
    /// weight decay, the step decay and the shard size are the Core records' own defaults. The loss depends on the
    /// output activation (<see cref="DefaultLoss"/>).
    /// </summary>
    private static readonly TrainingOptions Defaults = new(
        LossKind.CrossEntropy,
        new OptimizerSettings(OptimizerKind.Adam, LearningRate: 0.001f),
        ScheduleKind.Cosine,
        BatchSize: 32,
        Epochs: 15,
        Seed: 1);

    /// <summary>The proto field of each flag that Core's <c>Validate</c> methods name in their messages.</summary>
    private static readonly Dictionary<string, string> FieldOfFlag = new(StringComparer.Ordinal)
    {
        ["--lr"] = $"{OptimizerField}.learning_rate",
        ["--momentum"] = $"{OptimizerField}.momentum",
        ["--beta1"] = $"{OptimizerField}.beta1",
        ["--beta2"] = $"{OptimizerField}.beta2",
        ["--epsilon"] = $"{OptimizerField}.epsilon",
        ["--weight-decay"] = $"{OptimizerField}.weight_decay",
        ["--batch-size"] = $"{TrainingField}.batch_size",
        ["--epochs"] = $"{TrainingField}.epochs",
        ["--shard-size"] = $"{TrainingField}.shard_size",
        ["--early-stopping"] = $"{TrainingField}.early_stopping",
    };

    /// <summary>Validates <paramref name="request"/> and fills in the defaults of the fields it leaves unset.</summary>
    /// <param name="request">The request as received.</param>
    /// <param name="limits">The Trainer's limits (<see cref="TrainerOptions.MaxParameters"/>).</param>
    /// <exception cref="RequestRejectedException">
    /// <see cref="Rejection.InvalidArgument"/> for a bad field; <see cref="Rejection.ResourceExhausted"/> on <c>spec</c>
    /// or <c>initial_model</c> for a network larger than <see cref="TrainerOptions.MaxParameters"/>.
    /// </exception>
    public static JobRequest Read(V1.SubmitJobRequest request, TrainerOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var name = ReadName(request.Name);
        Network? initialModel = null;
        JobArchitecture? architecture = null;
        switch (request.NetworkCase)
        {
            case V1.SubmitJobRequest.NetworkOneofCase.Spec:
                architecture = ReadArchitecture(request.Spec, limits);
                break;
            case V1.SubmitJobRequest.NetworkOneofCase.InitialModel:
                initialModel = ReadInitialModel(request.InitialModel, limits);
                break;
            default:
                throw Invalid(SpecField, "give spec or initial_model");
        }

        var output = initialModel?.Spec.OutputActivation ?? architecture!.OutputActivation;
        var options = ReadTraining(request.Training ?? new V1.TrainingSettings(), output);
        var dataset = ReadDataset(request.Dataset);
        if (options.EarlyStoppingPatience > 0 && dataset.ValidationSplit == 0)
        {
            throw Invalid(
                $"{TrainingField}.early_stopping",
                "needs validation data to watch: set dataset.validation_split to a fraction in (0, 1) as well");
        }

        return new JobRequest(name, initialModel, architecture, options, dataset);
    }

    private static string ReadName(string name)
    {
        if (name.Length > MaxNameLength)
        {
            throw Invalid("name", $"at most {MaxNameLength} characters, got {name.Length}");
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsControl(name[i]))
            {
                throw Invalid("name", string.Create(CultureInfo.InvariantCulture, $"control character U+{(int)name[i]:X4} at index {i}; use a one-line name of printable characters"));
            }
        }

        return name;
    }

    private static JobArchitecture ReadArchitecture(V1.NetworkSpec spec, TrainerOptions limits)
    {
        CheckSize(spec.InputSize, $"{SpecField}.input_size", mayTakeDatasetSize: true, "input size");
        if (spec.Layers.Count == 0)
        {
            throw Invalid($"{SpecField}.layers", "a network needs at least one layer");
        }

        var layers = new JobLayer[spec.Layers.Count];
        for (var i = 0; i < layers.Length; i++)
        {
            var field = $"{SpecField}.layers[{i}]";
            var last = i == layers.Length - 1;
            CheckSize(spec.Layers[i].Outputs, $"{field}.outputs", mayTakeDatasetSize: last, "target size");
            var activation = Converted(() => ModelConverter.ActivationFrom(spec.Layers[i].Activation, $"{field}.activation"));
            if (!last && activation == Activation.Softmax)
            {
                throw Invalid($"{field}.activation", "softmax is only allowed on the last layer");
            }

            layers[i] = new JobLayer(spec.Layers[i].Outputs, activation);
        }

        var architecture = new JobArchitecture(spec.InputSize, layers);
        JobParameterLimit.Ensure(architecture.LayerSizes(1, 1), limits, SpecField, lowerBound: spec.InputSize == 0 || architecture.OutputSize == 0);
        return architecture;
    }

    /// <summary>A layer or input size: positive, at most <see cref="MaxLayerSize"/>, 0 only where the dataset gives it.</summary>
    private static void CheckSize(int size, string field, bool mayTakeDatasetSize, string datasetSize)
    {
        if (size < 0 || (size == 0 && !mayTakeDatasetSize))
        {
            var rule = mayTakeDatasetSize
                ? $"must be > 0, or 0 to take the dataset's {datasetSize}"
                : "must be > 0 (only the last layer may be 0, to take the dataset's target size)";
            throw Invalid(field, $"{rule}, got {size}");
        }

        if (size > MaxLayerSize)
        {
            throw Invalid(field, $"{size} is absurd: at most {MaxLayerSize}");
        }
    }

    private static Network ReadInitialModel(V1.Model model, TrainerOptions limits)
    {
        // The size check comes first so that a huge model is ResourceExhausted, not a parameter array to build;
        // a spec with a missing or non-positive size is left to ModelFrom, which names the field.
        if (model.Spec is { Layers.Count: > 0 } spec && spec.InputSize > 0 && spec.Layers.All(l => l.Outputs > 0))
        {
            JobParameterLimit.Ensure([spec.InputSize, .. spec.Layers.Select(l => l.Outputs)], limits, InitialModelField, lowerBound: false);
        }

        return Converted(() => ModelConverter.ModelFrom(model, InitialModelField));
    }

    private static TrainingOptions ReadTraining(V1.TrainingSettings training, Activation output)
    {
        var proto = training.Optimizer ?? new V1.OptimizerSettings();
        var defaults = Defaults.Optimizer;
        var optimizer = new OptimizerSettings(
            OptimizerKindFrom(proto.Kind),
            Real(proto.LearningRate, $"{OptimizerField}.learning_rate", defaults.LearningRate),
            Momentum: Real(proto.Momentum, $"{OptimizerField}.momentum", defaults.Momentum),
            Nesterov: proto.Nesterov,
            Beta1: Real(proto.Beta1, $"{OptimizerField}.beta1", defaults.Beta1),
            Beta2: Real(proto.Beta2, $"{OptimizerField}.beta2", defaults.Beta2),
            Epsilon: Real(proto.Epsilon, $"{OptimizerField}.epsilon", defaults.Epsilon),
            WeightDecay: Real(proto.WeightDecay, $"{OptimizerField}.weight_decay", defaults.WeightDecay));
        var options = new TrainingOptions(
            LossFrom(training.Loss, output),
            optimizer,
            ScheduleKindFrom(training.Schedule),
            BatchSize: Count(training.BatchSize, $"{TrainingField}.batch_size", Defaults.BatchSize, MaxBatchSize),
            Epochs: Count(training.Epochs, $"{TrainingField}.epochs", Defaults.Epochs, MaxEpochs),
            Seed: Count(training.Seed, $"{TrainingField}.seed", Defaults.Seed),
            Shuffle: training.HasShuffle ? training.Shuffle : Defaults.Shuffle,
            DecayEveryEpochs: Count(training.DecayEveryEpochs, $"{TrainingField}.decay_every_epochs", Defaults.DecayEveryEpochs),
            DecayFactor: Real(training.DecayFactor, $"{TrainingField}.decay_factor", Defaults.DecayFactor),
            Threads: 1,
            ShardSize: Count(training.ShardSize, $"{TrainingField}.shard_size", Defaults.ShardSize, MaxShardSize),
            EarlyStoppingPatience: Count(training.EarlyStopping, $"{TrainingField}.early_stopping", fallback: 0, MaxEpochs));

        // LearningRateSchedule.Validate checks the factor only once the steps are known; a job should fail now.
        if (options.DecayFactor > 1)
        {
            throw Invalid($"{TrainingField}.decay_factor", string.Create(CultureInfo.InvariantCulture, $"must be in (0, 1], got {options.DecayFactor}"));
        }

        // The ranges of the optimizer's fields (momentum and betas below 1) are Core's rules.
        Converted(() => options.Validate());
        return options;
    }

    /// <summary>An int field: 0 takes <paramref name="fallback"/>, negative or above <paramref name="max"/> is rejected.</summary>
    private static int Count(int value, string field, int fallback, int max = int.MaxValue)
    {
        if (value < 0)
        {
            throw Invalid(field, $"must be ≥ 0 (0 takes the default {fallback}), got {value}");
        }

        if (value > max)
        {
            throw Invalid(field, $"must be at most {max}, got {value}");
        }

        return value == 0 ? fallback : value;
    }

    /// <summary>A float field: 0 takes <paramref name="fallback"/>, negative or non-finite is rejected.</summary>
    private static float Real(float value, string field, float fallback)
    {
        if (!float.IsFinite(value) || value < 0)
        {
            throw Invalid(field, string.Create(CultureInfo.InvariantCulture, $"must be a finite number ≥ 0 (0 takes the default {fallback}), got {value}"));
        }

        return value == 0 ? fallback : value;
    }

    private static LossKind LossFrom(V1.Loss loss, Activation output)
    {
        const string field = $"{TrainingField}.loss";
        if (loss == V1.Loss.Unspecified)
        {
            return DefaultLoss(output);
        }

        var kind = Converted(() => ModelConverter.LossFrom(loss, field));
        Converted(() => LossKinds.EnsureCompatible(kind, output, field));
        return kind;
    }

    /// <summary>
    /// The loss for an output layer with <paramref name="output"/>: what <c>backprop train</c>'s default
    /// <c>--loss cross-entropy</c> means for softmax and sigmoid outputs, mean squared error for the others.
    /// </summary>
    private static LossKind DefaultLoss(Activation output) => output switch
    {
        Activation.Softmax => LossKind.CrossEntropy,
        Activation.Sigmoid => LossKind.BinaryCrossEntropy,
        _ => LossKind.MeanSquaredError,
    };

    private static OptimizerKind OptimizerKindFrom(V1.OptimizerKind kind) =>
        kind == V1.OptimizerKind.Unspecified ? Defaults.Optimizer.Kind : Converted(() => TrainingConverter.OptimizerKindFrom(kind, $"{OptimizerField}.kind"));

    private static ScheduleKind ScheduleKindFrom(V1.ScheduleKind kind) =>
        kind == V1.ScheduleKind.Unspecified ? Defaults.Schedule : Converted(() => TrainingConverter.ScheduleKindFrom(kind, $"{TrainingField}.schedule"));

    private static V1.DatasetReference ReadDataset(V1.DatasetReference? dataset)
    {
        if (dataset is null || dataset.SourceCase == V1.DatasetReference.SourceOneofCase.None)
        {
            throw Invalid("dataset", "give built_in, path or uploaded_id");
        }

        switch (dataset.SourceCase)
        {
            case V1.DatasetReference.SourceOneofCase.BuiltIn when !BuiltInDatasets.IsBuiltIn(dataset.BuiltIn):
                throw Invalid("dataset.built_in", $"unknown built-in dataset '{dataset.BuiltIn}' (use {string.Join(", ", BuiltInDatasets.Names)})");
            case V1.DatasetReference.SourceOneofCase.Path when string.IsNullOrWhiteSpace(dataset.Path):
                throw Invalid("dataset.path", "empty; give a CSV file or an IDX directory relative to the data root");
            case V1.DatasetReference.SourceOneofCase.UploadedId when string.IsNullOrWhiteSpace(dataset.UploadedId):
                throw Invalid("dataset.uploaded_id", "empty; give the id UploadDataset returned");
        }

        if (dataset.TargetColumns < 0)
        {
            throw Invalid("dataset.target_columns", $"must be ≥ 0 (0: the last column is a class label), got {dataset.TargetColumns}");
        }

        if (!(dataset.ValidationSplit >= 0 && dataset.ValidationSplit < 1))
        {
            throw Invalid("dataset.validation_split", $"must be a fraction in [0, 1) (0: none), got {dataset.ValidationSplit.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return dataset;
    }

    private static RequestRejectedException Invalid(string field, string reason) => new(Rejection.InvalidArgument, field, reason);

    private static void Converted(Action convert) => Converted(() =>
    {
        convert();
        return 0;
    });

    /// <summary>
    /// Runs a Core or Protocol conversion and turns its <see cref="InvalidInputException"/> ("field: reason") into a
    /// rejection of that field, with a CLI flag replaced by its proto field.
    /// </summary>
    private static T Converted<T>(Func<T> convert)
    {
        try
        {
            return convert();
        }
        catch (InvalidInputException e)
        {
            var split = e.Message.IndexOf(": ", StringComparison.Ordinal);
            if (split < 0)
            {
                throw Invalid(TrainingField, e.Message);
            }

            var field = e.Message[..split];
            throw Invalid(FieldOfFlag.GetValueOrDefault(field, field), e.Message[(split + 2)..]);
        }
    }
}
