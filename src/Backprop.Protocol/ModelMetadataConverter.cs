using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Model;

namespace Backprop.Protocol;

/// <summary>A model's metadata (feature names, label names, standardization) between Backprop.Core and <see cref="V1.Model"/>, in a pair.</summary>
public static class ModelMetadataConverter
{
    /// <summary>The proto form of <paramref name="model"/>: its network and its metadata.</summary>
    public static V1.Model TrainedModelToProto(TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = ModelConverter.ModelToProto(model.Network);
        var metadata = model.Metadata;
        proto.FeatureNames.Add(metadata.FeatureNames ?? []);
        proto.LabelNames.Add(metadata.LabelNames ?? []);
        if (metadata.Standardization is { } standardization)
        {
            proto.Standardization = new V1.Standardization { Mean = TensorBytes.From(standardization.Mean), Scale = TensorBytes.From(standardization.Scale) };
        }

        return proto;
    }

    /// <summary>The model <paramref name="proto"/> holds, its metadata checked against its network; <paramref name="field"/> names it in errors.</summary>
    /// <exception cref="InvalidInputException">A bad network, or metadata that does not fit it.</exception>
    public static TrainedModel TrainedModelFrom(V1.Model? proto, string field)
    {
        var network = ModelConverter.ModelFrom(proto, field);
        var metadata = new ModelMetadata(
            proto!.FeatureNames.Count > 0 ? [.. proto.FeatureNames] : null,
            proto.LabelNames.Count > 0 ? [.. proto.LabelNames] : null,
            proto.Standardization is { } standardization ? StandardizationFrom(standardization, $"{field}.standardization") : null);
        return metadata.MismatchWith(network.Spec) is { } mismatch
            ? throw new InvalidInputException($"{field}: {mismatch}")
            : new TrainedModel(network, metadata);
    }

    private static Standardization StandardizationFrom(V1.Standardization proto, string field)
    {
        try
        {
            return new Standardization(TensorBytes.ToArray(proto.Mean, $"{field}.mean"), TensorBytes.ToArray(proto.Scale, $"{field}.scale"));
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new InvalidInputException($"{field}: {e.Message}");
        }
    }
}
