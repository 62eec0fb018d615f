using System.CommandLine;
using Backprop.Cli.Train;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using CoreActivation = Backprop.Core.Model.Activation;

namespace Backprop.Cli.Remote;

/// <summary>
/// Turns the training flags of <c>backprop submit</c> into a <see cref="SubmitJobRequest"/>, checking them
/// here with the messages of <c>backprop train</c> so a typo fails before anything is sent.
/// </summary>
internal static class SubmitRequestBuilder
{
    /// <summary>The request for the flags in <paramref name="parsed"/>; <paramref name="datasetId"/> is <c>--dataset</c>.</summary>
    /// <exception cref="InvalidInputException">A bad flag value or combination.</exception>
    public static SubmitJobRequest Build(TrainFlags flags, ParseResult parsed, string? name, string? datasetId)
    {
        var options = TrainSettings.Options(flags, parsed);
        var request = new SubmitJobRequest { Name = name ?? string.Empty, Dataset = DatasetOf(flags, parsed, datasetId) };
        CoreActivation outputActivation;
        if (parsed.GetValue(flags.InitModel) is { } modelPath)
        {
            TrainSettings.EnsureNoArchitectureFlags(flags, parsed);
            var network = ModelJson.Load(modelPath).Network;
            request.InitialModel = ModelConverter.ModelToProto(network);
            outputActivation = network.Spec.OutputActivation;
        }
        else
        {
            outputActivation = TrainSettings.ParseActivation(parsed.GetValue(flags.OutputActivation)!, flags.OutputActivation.Name);
            request.Spec = SpecOf(TrainSettings.HiddenSizes(parsed.GetValue(flags.Hidden)!), TrainSettings.HiddenActivation(flags, parsed), outputActivation);
        }

        request.Training = TrainingConverter.TrainingSettingsToProto(TrainSettings.WithLoss(options, flags, parsed, outputActivation));
        return request;
    }

    /// <summary>
    /// A network whose input width and output count are 0: the server takes them from the dataset, which
    /// this machine may not have.
    /// </summary>
    private static NetworkSpec SpecOf(int[] hidden, CoreActivation hiddenActivation, CoreActivation outputActivation)
    {
        var spec = new NetworkSpec { InputSize = 0 };
        foreach (var size in hidden)
        {
            spec.Layers.Add(new LayerSpec { Outputs = size, Activation = ModelConverter.ActivationToProto(hiddenActivation) });
        }

        spec.Layers.Add(new LayerSpec { Outputs = 0, Activation = ModelConverter.ActivationToProto(outputActivation) });
        return spec;
    }

    private static DatasetReference DatasetOf(TrainFlags flags, ParseResult parsed, string? datasetId)
    {
        var (targetColumns, table) = TableConverter.TableOptionsToProto(flags.Table.Options(parsed));
        var reference = new DatasetReference
        {
            TargetColumns = targetColumns,
            Standardize = parsed.GetValue(flags.Standardize),
            ValidationSplit = parsed.GetValue(flags.ValidationSplit) ?? 0,
        };
        if (flags.Table.All.Any(flag => parsed.GetResult(flag) is { Implicit: false }))
        {
            // Unset, an uploaded dataset is read as its upload said.
            reference.Table = table;
        }

        if (datasetId is not null)
        {
            if (parsed.GetResult(flags.Data) is { Implicit: false })
            {
                throw new InvalidInputException($"{flags.Data.Name}: cannot be combined with --dataset, which names the data already");
            }

            reference.UploadedId = datasetId;
            return reference;
        }

        var data = parsed.GetValue(flags.Data)!;
        if (BuiltInDatasets.IsBuiltIn(data))
        {
            reference.BuiltIn = data;
        }
        else
        {
            reference.Path = data;
        }

        return reference;
    }
}
