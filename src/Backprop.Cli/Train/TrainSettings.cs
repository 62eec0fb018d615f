using System.CommandLine;
using System.Globalization;
using Backprop.Core;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Cli.Train;

/// <summary>Turns the parsed flags of <c>backprop train</c> into Core settings, naming the flag of any bad value.</summary>
internal static class TrainSettings
{
    /// <summary>Batch rows that make one more thread worth its synchronisation.</summary>
    private const int RowsPerThread = 128;

    /// <summary>Training options with a placeholder loss (the loss depends on the output layer, see <see cref="WithLoss"/>).</summary>
    public static TrainingOptions Options(TrainFlags flags, ParseResult parsed)
    {
        var optimizer = new OptimizerSettings(
            ParseOptimizer(parsed.GetValue(flags.Optimizer)!),
            parsed.GetValue(flags.LearningRate),
            Momentum: parsed.GetValue(flags.Momentum),
            Nesterov: parsed.GetValue(flags.Nesterov),
            WeightDecay: parsed.GetValue(flags.WeightDecay));
        var options = new TrainingOptions(
            LossKind.MeanSquaredError,
            optimizer,
            LearningRateSchedule.ParseKind(parsed.GetValue(flags.Schedule)!),
            parsed.GetValue(flags.BatchSize),
            parsed.GetValue(flags.Epochs),
            parsed.GetValue(flags.Seed),
            parsed.GetValue(flags.Shuffle),
            parsed.GetValue(flags.DecayEpochs),
            parsed.GetValue(flags.DecayFactor),
            parsed.GetValue(flags.Threads) ?? AutomaticThreads(parsed.GetValue(flags.BatchSize)),
            parsed.GetValue(flags.ShardSize),
            EarlyStoppingPatience(flags, parsed));
        options.Validate();
        return options;
    }

    /// <summary>
    /// <c>--early-stopping N</c>: at least one epoch, and only with <c>--validation-split</c> (it watches the held-out
    /// samples: choosing the weights by the test data would make the test score an optimistic one). 0 when not given.
    /// </summary>
    private static int EarlyStoppingPatience(TrainFlags flags, ParseResult parsed)
    {
        if (parsed.GetValue(flags.EarlyStopping) is not { } patience)
        {
            return 0;
        }

        if (patience < 1)
        {
            throw new InvalidInputException($"{flags.EarlyStopping.Name}: must be ≥ 1 epoch, got {patience}");
        }

        return parsed.GetValue(flags.ValidationSplit) is null
            ? throw new InvalidInputException($"{flags.EarlyStopping.Name}: needs {flags.ValidationSplit.Name} F, the held-out samples whose loss it watches")
            : patience;
    }

    /// <summary>
    /// One thread per <see cref="RowsPerThread"/> samples of a batch, at most one per core: below that a
    /// thread's share of each kernel phase is too short to pay for waking it. The choice never changes
    /// results, which are bit-identical for any thread count.
    /// </summary>
    public static int AutomaticThreads(int batchSize) => Math.Clamp(batchSize / RowsPerThread, 1, Environment.ProcessorCount);

    /// <summary><paramref name="options"/> with the loss of <c>--loss</c> for a network whose output layer uses <paramref name="output"/>.</summary>
    public static TrainingOptions WithLoss(TrainingOptions options, TrainFlags flags, ParseResult parsed, Activation output) =>
        options with { Loss = LossKinds.Parse(parsed.GetValue(flags.Loss)!, output, flags.Loss.Name) };

    /// <summary>Parses <c>--hidden</c>: "256,128", or "none" (or empty) for no hidden layer.</summary>
    public static int[] HiddenSizes(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
            {
                throw new InvalidInputException($"--hidden: '{parts[i]}' is not a positive layer size (write sizes like 256,128, or none)");
            }
        }

        return sizes;
    }

    /// <summary>Throws when an architecture flag is given with <c>--init-model</c>, whose file fixes the architecture.</summary>
    public static void EnsureNoArchitectureFlags(TrainFlags flags, ParseResult parsed)
    {
        foreach (var flag in flags.Architecture)
        {
            if (parsed.GetResult(flag) is { Implicit: false })
            {
                throw new InvalidInputException($"{flag.Name}: cannot be combined with --init-model, whose file fixes the architecture");
            }
        }
    }

    /// <summary>The activation of the hidden layers (<c>--activation</c>); softmax is only for the output layer.</summary>
    public static Activation HiddenActivation(TrainFlags flags, ParseResult parsed)
    {
        var activation = ParseActivation(parsed.GetValue(flags.Activation)!, flags.Activation.Name);
        return activation == Activation.Softmax
            ? throw new InvalidInputException($"{flags.Activation.Name}: softmax is only allowed on the output layer (--output-activation)")
            : activation;
    }

    /// <summary>Parses an activation name given to <paramref name="flag"/>.</summary>
    public static Activation ParseActivation(string name, string flag) =>
        ActivationNames.TryParse(name, out var activation)
            ? activation
            : throw new InvalidInputException($"{flag}: unknown activation '{name}' (use {ActivationNames.AcceptedNames})");

    private static OptimizerKind ParseOptimizer(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "momentum" => OptimizerKind.Momentum,
        "adam" => OptimizerKind.Adam,
        _ => throw new InvalidInputException($"--optimizer: unknown optimizer '{name}' (use sgd, momentum or adam)"),
    };
}
