using Backprop.Core;
using Backprop.Core.Losses;
using CoreModel = Backprop.Core.Model;

namespace Backprop.Protocol;

/// <summary>Network specs, models, activations and losses between Backprop.Core and their protobuf messages, in pairs.</summary>
public static class ModelConverter
{
    /// <summary>The proto form of <paramref name="spec"/>.</summary>
    public static V1.NetworkSpec NetworkSpecToProto(CoreModel.NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var proto = new V1.NetworkSpec { InputSize = spec.InputSize };
        foreach (var layer in spec.Layers)
        {
            proto.Layers.Add(new V1.LayerSpec { Outputs = layer.Outputs, Activation = ActivationToProto(layer.Activation) });
        }

        return proto;
    }

    /// <summary>The spec <paramref name="proto"/> describes; <paramref name="field"/> names it in errors.</summary>
    /// <exception cref="InvalidInputException">Missing layers, bad sizes or activations.</exception>
    public static CoreModel.NetworkSpec NetworkSpecFrom(V1.NetworkSpec? proto, string field)
    {
        if (proto is null || proto.Layers.Count == 0)
        {
            throw new InvalidInputException($"{field}: a network needs at least one layer");
        }

        var sizes = new List<int> { proto.InputSize };
        var activations = new List<CoreModel.Activation>();
        for (var i = 0; i < proto.Layers.Count; i++)
        {
            sizes.Add(proto.Layers[i].Outputs);
            activations.Add(ActivationFrom(proto.Layers[i].Activation, $"{field}.layers[{i}].activation"));
        }

        try
        {
            return new CoreModel.NetworkSpec(sizes, activations);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{field}: {e.Message}");
        }
    }

    /// <summary>The proto form of <paramref name="network"/>: its spec and its parameters as bytes.</summary>
    public static V1.Model ModelToProto(CoreModel.Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return new V1.Model { Spec = NetworkSpecToProto(network.Spec), Parameters = TensorBytes.From(network.Parameters) };
    }

    /// <summary>The network <paramref name="proto"/> holds.</summary>
    /// <exception cref="InvalidInputException">A bad spec, or a parameter count that does not match it.</exception>
    public static CoreModel.Network ModelFrom(V1.Model? proto, string field)
    {
        if (proto is null)
        {
            throw new InvalidInputException($"{field}: missing");
        }

        var spec = NetworkSpecFrom(proto.Spec, $"{field}.spec");
        if (proto.Parameters.Length != spec.ParameterCount * sizeof(float))
        {
            throw new InvalidInputException($"{field}.parameters: {proto.Parameters.Length} bytes, expected {spec.ParameterCount} float32 values ({spec.ParameterCount * sizeof(float)} bytes)");
        }

        var parameters = new float[spec.ParameterCount];
        TensorBytes.CopyTo(proto.Parameters, parameters, $"{field}.parameters");
        return new CoreModel.Network(spec, parameters);
    }

    /// <summary>The proto enum value of <paramref name="activation"/>.</summary>
    public static V1.Activation ActivationToProto(CoreModel.Activation activation) => activation switch
    {
        CoreModel.Activation.Sigmoid => V1.Activation.Sigmoid,
        CoreModel.Activation.Tanh => V1.Activation.Tanh,
        CoreModel.Activation.Relu => V1.Activation.Relu,
        CoreModel.Activation.Identity => V1.Activation.Identity,
        CoreModel.Activation.Softmax => V1.Activation.Softmax,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>The activation <paramref name="activation"/> names.</summary>
    /// <exception cref="InvalidInputException">Unspecified or unknown.</exception>
    public static CoreModel.Activation ActivationFrom(V1.Activation activation, string field) => activation switch
    {
        V1.Activation.Sigmoid => CoreModel.Activation.Sigmoid,
        V1.Activation.Tanh => CoreModel.Activation.Tanh,
        V1.Activation.Relu => CoreModel.Activation.Relu,
        V1.Activation.Identity => CoreModel.Activation.Identity,
        V1.Activation.Softmax => CoreModel.Activation.Softmax,
        _ => throw new InvalidInputException($"{field}: unknown activation {activation}"),
    };

    /// <summary>The proto enum value of <paramref name="loss"/>.</summary>
    public static V1.Loss LossToProto(LossKind loss) => loss switch
    {
        LossKind.MeanSquaredError => V1.Loss.MeanSquaredError,
        LossKind.CrossEntropy => V1.Loss.CrossEntropy,
        LossKind.BinaryCrossEntropy => V1.Loss.BinaryCrossEntropy,
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
    };

    /// <summary>The loss <paramref name="loss"/> names.</summary>
    /// <exception cref="InvalidInputException">Unspecified or unknown.</exception>
    public static LossKind LossFrom(V1.Loss loss, string field) => loss switch
    {
        V1.Loss.MeanSquaredError => LossKind.MeanSquaredError,
        V1.Loss.CrossEntropy => LossKind.CrossEntropy,
        V1.Loss.BinaryCrossEntropy => LossKind.BinaryCrossEntropy,
        _ => throw new InvalidInputException($"{field}: unknown loss {loss}"),
    };
}
