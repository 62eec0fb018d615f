using System.CommandLine;
using Backprop.Cli.Cluster;
using Backprop.Cli.Output;
using Backprop.Cli.Remote;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Data.Tables;
using Backprop.Core.Metrics;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Core.Training;
using Backprop.Protocol;
using DatasetSource = Backprop.Protocol.V1.DatasetSource;

namespace Backprop.Cli.Train;

/// <summary><c>backprop train</c>: trains a network in this process and reports each epoch.</summary>
internal static class TrainCommand
{
    /// <summary>Most worker processes <c>--workers</c> starts on this machine.</summary>
    private const int MaxLocalWorkers = 64;

    /// <summary>The verb with its flags; results go to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output, bool interactive)
    {
        var flags = new TrainFlags();
        var command = new Command("train", "Train a network on a dataset (in this process, or on a local cluster with --workers) and report test accuracy.");
        foreach (var flag in flags.All)
        {
            command.Options.Add(flag);
        }

        command.SetAction(parsed => Execute(flags, parsed, output, interactive));
        return command;
    }

    private static int Execute(TrainFlags flags, ParseResult parsed, TextWriter output, bool interactive)
    {
        if (parsed.GetValue(flags.Plaintext) && parsed.GetValue(flags.Workers) is null)
        {
            throw new InvalidInputException($"{flags.Plaintext.Name}: only with {flags.Workers.Name} (it concerns the local cluster's connections)");
        }

        var options = TrainSettings.Options(flags, parsed);
        var metricsOut = parsed.GetValue(flags.MetricsOut);
        if (metricsOut is not null)
        {
            OutputFile.EnsureCanCreate(metricsOut, flags.MetricsOut.Name);
        }

        var table = flags.Table.Options(parsed);
        var data = DatasetLoader.Load(
            parsed.GetValue(flags.Data)!, parsed.GetValue(flags.TestData), table, parsed.GetValue(flags.Standardize), options.Seed, parsed.GetValue(flags.ValidationSplit));
        if (metricsOut is not null && data.Test is null)
        {
            throw new InvalidInputException(
                $"{flags.MetricsOut.Name}: {data.Train.Name} has no test data to compute metrics on; give {flags.TestData.Name} or {flags.ValidationSplit.Name} F");
        }

        var network = CreateNetwork(flags, parsed, data.Train, options.Seed);
        options = TrainSettings.WithLoss(options, flags, parsed, network.Spec.OutputActivation);
        var printer = new EpochPrinter(output, interactive, options.Epochs);
        printer.Start(network.Spec, data, options);
        var last = parsed.GetValue(flags.Workers) is { } workers
            ? TrainOnLocalCluster(flags, parsed, table, network, data, options, workers, printer)
            : TrainInProcess(network, data, options, printer);
        printer.Finish(last);
        var model = new TrainedModel(network, ModelMetadata.Of(data));
        if (data.Test is { } test)
        {
            // On the weights kept (with early stopping, the best epoch's), on the data the epochs were scored on.
            var evaluatedOn = parsed.GetValue(flags.ValidationSplit) is null ? "test" : "validation";
            var metrics = ModelMetrics.Evaluate(network, test);
            MetricsTable.Write(metrics, evaluatedOn, model.Metadata, output, interactive);
            if (metricsOut is not null)
            {
                OutputFile.Write(metricsOut, () =>
                {
                    using var file = File.Create(metricsOut);
                    MetricsJson.Write(metrics, evaluatedOn, model.Metadata, file);
                });
                output.WriteLine($"metrics written to {metricsOut}");
            }
        }

        if (parsed.GetValue(flags.Out) is { } outPath)
        {
            ModelJson.Save(model, outPath);
            output.WriteLine($"model written to {outPath}");
        }

        return BackpropCli.Success;
    }

    private static EpochReport TrainInProcess(Network network, DatasetSplit data, TrainingOptions options, EpochPrinter printer)
    {
        using var trainer = new Trainer(network, data, options);
        EpochReport? last = null;
        foreach (var report in trainer.Run(printer.Step))
        {
            printer.Epoch(report);
            last = report;
        }

        return last!;
    }

    /// <summary>Workers load the data from the same source when they can; each splits the cores evenly unless --threads says otherwise.</summary>
    private static EpochReport TrainOnLocalCluster(TrainFlags flags, ParseResult parsed, TableOptions table, Network network, DatasetSplit data, TrainingOptions options, int workers, EpochPrinter printer)
    {
        if (workers is < 1 or > MaxLocalWorkers)
        {
            throw new InvalidInputException($"{flags.Workers.Name}: must be 1..{MaxLocalWorkers}, got {workers}");
        }

        var (targetColumns, layout) = TableConverter.TableOptionsToProto(table);
        var source = new DatasetSource
        {
            Data = parsed.GetValue(flags.Data)!,
            TargetColumns = targetColumns,
            Table = layout,
            Standardize = data.Standardization is not null,
            ValidationSplit = parsed.GetValue(flags.ValidationSplit) ?? 0,
            SplitSeed = options.Seed,
        };
        var threads = parsed.GetValue(flags.Threads) ?? Math.Max(1, Environment.ProcessorCount / workers);
        printer.Cluster(workers, threads, options, data.Train.Count);
        return LocalClusterTraining.Run(network, data, options, source, workers, threads, parsed.GetValue(flags.Plaintext), printer);
    }

    private static Network CreateNetwork(TrainFlags flags, ParseResult parsed, Dataset train, int seed)
    {
        if (parsed.GetValue(flags.InitModel) is { } modelPath)
        {
            TrainSettings.EnsureNoArchitectureFlags(flags, parsed);
            var network = ModelJson.Load(modelPath).Network;
            ModelJson.EnsureMatches(network, train.InputSize, train.TargetSize, modelPath);
            return network;
        }

        var spec = NetworkSpec.Create(
            train.InputSize,
            TrainSettings.HiddenSizes(parsed.GetValue(flags.Hidden)!),
            train.TargetSize,
            TrainSettings.HiddenActivation(flags, parsed),
            TrainSettings.ParseActivation(parsed.GetValue(flags.OutputActivation)!, flags.OutputActivation.Name));
        return ParameterInitializer.Initialize(spec, seed);
    }
}
