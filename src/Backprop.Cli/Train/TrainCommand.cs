using System.CommandLine;
using Backprop.Cli.Output;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Core.Training;

namespace Backprop.Cli.Train;

/// <summary><c>backprop train</c>: trains a network in this process and reports each epoch.</summary>
internal static class TrainCommand
{
    /// <summary>The verb with its flags; results go to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, bool interactive)
    {
        var flags = new TrainFlags();
        var command = new Command("train", "Train a network on a dataset in this process and report test accuracy.");
        foreach (var flag in flags.All)
        {
            command.Options.Add(flag);
        }

        command.SetAction(parsed => Execute(flags, parsed, output, interactive));
        return command;
    }

    private static int Execute(TrainFlags flags, ParseResult parsed, TextWriter output, bool interactive)
    {
        var options = TrainSettings.Options(flags, parsed);
        var data = DatasetLoader.Load(parsed.GetValue(flags.Data)!, parsed.GetValue(flags.TestData), parsed.GetValue(flags.Targets), options.Seed);
        var network = CreateNetwork(flags, parsed, data.Train, options.Seed);
        options = TrainSettings.WithLoss(options, flags, parsed, network.Spec.OutputActivation);
        using var trainer = new Trainer(network, data, options);

        var printer = new EpochPrinter(output, interactive, options.Epochs);
        printer.Start(network.Spec, data, options);
        EpochReport? last = null;
        foreach (var report in trainer.Run(printer.Step))
        {
            printer.Epoch(report);
            last = report;
        }

        printer.Finish(last!);
        if (parsed.GetValue(flags.Out) is { } outPath)
        {
            ModelJson.Save(network, outPath);
            output.WriteLine($"model written to {outPath}");
        }

        return BackpropCli.Success;
    }

    private static Network CreateNetwork(TrainFlags flags, ParseResult parsed, Dataset train, int seed)
    {
        if (parsed.GetValue(flags.InitModel) is { } modelPath)
        {
            foreach (var flag in flags.Architecture)
            {
                if (parsed.GetResult(flag) is { Implicit: false })
                {
                    throw new InvalidInputException($"{flag.Name}: cannot be combined with --init-model, whose file fixes the architecture");
                }
            }

            var network = ModelJson.Load(modelPath);
            ModelJson.EnsureMatches(network, train.InputSize, train.TargetSize, modelPath);
            return network;
        }

        var hiddenActivation = TrainSettings.ParseActivation(parsed.GetValue(flags.Activation)!, flags.Activation.Name);
        if (hiddenActivation == Activation.Softmax)
        {
            throw new InvalidInputException($"{flags.Activation.Name}: softmax is only allowed on the output layer (--output-activation)");
        }

        var spec = NetworkSpec.Create(
            train.InputSize,
            TrainSettings.HiddenSizes(parsed.GetValue(flags.Hidden)!),
            train.TargetSize,
            hiddenActivation,
            TrainSettings.ParseActivation(parsed.GetValue(flags.OutputActivation)!, flags.OutputActivation.Name));
        return ParameterInitializer.Initialize(spec, seed);
    }
}
