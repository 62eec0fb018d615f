using System.Reflection;
using System.Text;
using System.Text.Json;
using Backprop.Cli.Remote;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Google.Protobuf;
using Onnx;
using Activation = Backprop.Core.Model.Activation;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Backprop.Cli.Export;

/// <summary>
/// A trained model as an ONNX graph (opset <see cref="Opset"/>) that any ONNX runtime runs on raw feature values and
/// that computes what <c>backprop predict --model</c> does:
/// <code>
/// input [N, features] ─ Sub(mean) ─ Div(scale) ─ Gemm(W₀, b₀, transB=1) ─ act₀ ─ … ─ Gemm(W_L, b_L, transB=1) ─ act_L ─ output [N, outputs]
/// </code>
/// </summary>
/// <remarks>
/// <para>Sub and Div are there only when the model has a standardization; its scale is never 0 (a constant feature
/// has scale 1, see <see cref="Standardization"/>), so Div never divides by zero, and the model file's float32 order
/// (subtract, then divide) is the graph's. W is stored as the project keeps it, [outputs × inputs] row-major, and
/// Gemm's <c>transB=1</c> computes <c>z = a·Wᵀ + b</c>, the row-vector form of <c>z = W·a + b</c>. Activations map
/// one to one onto Sigmoid, Tanh, Relu and Softmax (over the outputs, axis 1); identity adds no node.</para>
/// <para>The feature names and class names travel in <c>metadata_props</c> under <see cref="FeaturesKey"/> and
/// <see cref="LabelsKey"/>, each a JSON array of strings, the same keys as the model JSON.</para>
/// </remarks>
internal static class OnnxExport
{
    /// <summary>The ONNX operator set the graph uses (ONNX 1.12; every op here is unchanged since opset 13 or earlier).</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version that goes with <see cref="Opset"/> (ONNX 1.12 writes IR version 8).</summary>
    public const long IrVersion = 8;

    /// <summary>The graph's input: float [N, features], raw (unstandardized) values.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output: float [N, outputs], what the last layer's activation gives.</summary>
    public const string OutputName = "output";

    /// <summary>The model's <c>producer_name</c> and <c>doc_string</c>.</summary>
    public const string Producer = "backprop";

    /// <summary>The <c>metadata_props</c> key of the feature names (a JSON array), present when the model has them.</summary>
    public const string FeaturesKey = "features";

    /// <summary>The <c>metadata_props</c> key of the class names (a JSON array), present when the model has them.</summary>
    public const string LabelsKey = "labels";

    /// <summary>The symbolic batch dimension of <see cref="InputName"/> and <see cref="OutputName"/>.</summary>
    private const string BatchDimension = "N";

    /// <summary>
    /// Protobuf refuses messages of 2 GiB or more; a model that large would need ONNX's external data files, which
    /// this export does not write. The margin covers everything besides the float data.
    /// </summary>
    private const long MaxParameterBytes = int.MaxValue - (64L * 1024 * 1024);

    /// <summary>Writes <paramref name="model"/> (read from <paramref name="sourceName"/>) to <paramref name="path"/> as an ONNX file, atomically (a reader sees the old file or the whole new one).</summary>
    /// <exception cref="InvalidInputException">The model cannot be expressed in ONNX, or the file cannot be written.</exception>
    public static void Save(TrainedModel model, string sourceName, string path)
    {
        var bytes = ToOnnx(model, sourceName).ToByteArray();
        OutputFile.Write(path, () => AtomicFileWriter.Write(path, stream => stream.Write(bytes)));
    }

    /// <summary>The ONNX model of <paramref name="model"/>; <paramref name="sourceName"/> starts every error message.</summary>
    /// <exception cref="InvalidInputException">A layer's activation has no ONNX operator, or the model is too large for one file.</exception>
    public static ModelProto ToOnnx(TrainedModel model, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sourceName);
        var spec = model.Network.Spec;
        if ((long)spec.ParameterCount * sizeof(float) > MaxParameterBytes)
        {
            throw new InvalidInputException($"{sourceName}: {spec.ParameterCount} parameters are too many for one ONNX file (protobuf's 2 GiB limit)");
        }

        var activationOps = spec.Layers.Select((layer, l) => ActivationOperator(layer.Activation, l, sourceName)).ToArray();
        var graph = new GraphProto
        {
            Name = Producer,
            DocString = $"{Producer} {spec}",
            Input = { FloatMatrix(InputName, spec.InputSize) },
            Output = { FloatMatrix(OutputName, spec.OutputSize) },
        };
        var activations = InputName;
        if (model.Metadata.Standardization is { } standardization)
        {
            activations = Standardize(graph, activations, standardization);
        }

        for (var l = 0; l < spec.Layers.Count; l++)
        {
            activations = AddLayer(graph, activations, model.Network, l, activationOps[l], l == spec.Layers.Count - 1 ? OutputName : null);
        }

        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = Opset } },
            ProducerName = Producer,
            ProducerVersion = ProducerVersion(),
            DocString = Producer,
            Graph = graph,
        };
        AddNames(onnx, FeaturesKey, model.Metadata.FeatureNames);
        AddNames(onnx, LabelsKey, model.Metadata.LabelNames);
        return onnx;
    }

    /// <summary>Sub then Div, in the order (and so with the float32 rounding) of <see cref="Standardization.Apply"/>.</summary>
    private static string Standardize(GraphProto graph, string input, Standardization standardization)
    {
        graph.Initializer.Add(FloatTensor("standardization.mean", standardization.Mean, standardization.Size));
        graph.Initializer.Add(FloatTensor("standardization.scale", standardization.Scale, standardization.Size));
        graph.Node.Add(Node("Sub", "standardization.sub", [input, "standardization.mean"], "standardization.centered"));
        graph.Node.Add(Node("Div", "standardization.div", ["standardization.centered", "standardization.scale"], "standardization.standardized"));
        return "standardization.standardized";
    }

    /// <summary>The ONNX operator of <paramref name="activation"/> (layer <paramref name="l"/>); null for identity, which needs none.</summary>
    /// <exception cref="InvalidInputException">The activation has no ONNX operator.</exception>
    private static string? ActivationOperator(Activation activation, int l, string sourceName) => activation switch
    {
        Activation.Sigmoid => "Sigmoid",
        Activation.Tanh => "Tanh",
        Activation.Relu => "Relu",
        Activation.Softmax => "Softmax",
        Activation.Identity => null,
        _ => throw new InvalidInputException(
            sourceName, $"layers[{l}].activation", $"activation '{activation}' has no ONNX operator, so the model cannot be exported"),
    };

    /// <summary>Gemm and the activation (<paramref name="activationOp"/>) of layer <paramref name="l"/>; returns the name of its activations.</summary>
    private static string AddLayer(GraphProto graph, string input, Network network, int l, string? activationOp, string? outputName)
    {
        var layer = network.Spec.Layers[l];
        var prefix = $"layer{l}";
        graph.Initializer.Add(FloatTensor($"{prefix}.weight", network.Weights(l).ToArray(), layer.Outputs, layer.Inputs));
        graph.Initializer.Add(FloatTensor($"{prefix}.bias", network.Biases(l).ToArray(), layer.Outputs));
        var z = activationOp is null && outputName is not null ? outputName : $"{prefix}.z";
        var gemm = Node("Gemm", $"{prefix}.gemm", [input, $"{prefix}.weight", $"{prefix}.bias"], z);
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(gemm);
        if (activationOp is null)
        {
            return z;
        }

        var a = outputName ?? $"{prefix}.a";
        var activation = Node(activationOp, $"{prefix}.{activationOp.ToLowerInvariant()}", [z], a);
        if (layer.Activation == Activation.Softmax)
        {
            activation.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        }

        graph.Node.Add(activation);
        return a;
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output) =>
        new() { OpType = opType, Name = name, Input = { inputs }, Output = { output } };

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims) =>
        new() { Name = name, DataType = (int)DataType.Float, Dims = { dims }, FloatData = { values } };

    /// <summary>A float [N, <paramref name="columns"/>] graph input or output.</summary>
    private static ValueInfoProto FloatMatrix(string name, int columns) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)DataType.Float,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = BatchDimension },
                        new TensorShapeProto.Types.Dimension { DimValue = columns },
                    },
                },
            },
        },
    };

    private static void AddNames(ModelProto onnx, string key, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var name in names)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
        }

        onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = Encoding.UTF8.GetString(buffer.ToArray()) });
    }

    private static string ProducerVersion() =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? string.Empty;
}
