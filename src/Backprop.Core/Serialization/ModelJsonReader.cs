using System.Text.Json;
using Backprop.Core.Model;

namespace Backprop.Core.Serialization;

/// <summary>
/// Parses and checks a <see cref="ModelJson.FormatName"/> document, layer by layer, failing at the first
/// problem with an <see cref="InvalidInputException"/> that names the source, the JSON path and the reason.
/// </summary>
internal static class ModelJsonReader
{
    private const string TopLevel = "top level";

    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public static TrainedModel Read(Stream stream, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, StrictJson);
        }
        catch (JsonException e)
        {
            throw SyntaxError(e, source);
        }

        using (document)
        {
            return ReadModel(document.RootElement, new JsonFieldReader(source));
        }
    }

    private static TrainedModel ReadModel(JsonElement root, JsonFieldReader json)
    {
        json.RequireObject(root, TopLevel);
        var format = json.Property(root, TopLevel, ModelJsonKeys.Format);
        if (format.ValueKind != JsonValueKind.String || !(format.ValueEquals(ModelJson.FormatName) || format.ValueEquals(ModelJson.FormatNameV2)))
        {
            throw json.Fail(ModelJsonKeys.Format, $"expected \"{ModelJson.FormatName}\" or \"{ModelJson.FormatNameV2}\", got {JsonFieldReader.Describe(format)}");
        }

        var layers = json.Property(root, TopLevel, ModelJsonKeys.Layers);
        var count = json.ArrayLength(layers, ModelJsonKeys.Layers, "an array of layers");
        if (count == 0)
        {
            throw json.Fail(ModelJsonKeys.Layers, "expected at least one layer, got none");
        }

        var sizes = new List<int>(count + 1);
        var activations = new List<Activation>(count);
        var layerParameters = new List<float[]>(count);
        long parameterCount = 0;
        var l = 0;
        foreach (var layer in layers.EnumerateArray())
        {
            var (inputs, outputs, activation) = ReadShape(layer, l, isOutput: l == count - 1, json);
            if (l == 0)
            {
                sizes.Add(inputs);
            }
            else if (inputs != sizes[^1])
            {
                throw json.Fail(ModelJsonPaths.Key(l, ModelJsonKeys.Inputs), $"{inputs} does not match the previous layer's outputs {sizes[^1]}");
            }

            parameterCount += ((long)inputs * outputs) + outputs;
            if (parameterCount > NetworkSpec.MaxParameters)
            {
                throw json.Fail(ModelJsonPaths.Layer(l), $"the model has more than {NetworkSpec.MaxParameters} parameters");
            }

            sizes.Add(outputs);
            activations.Add(activation);
            layerParameters.Add(ReadParameters(layer, l, inputs, outputs, json));
            l++;
        }

        var spec = new NetworkSpec(sizes, activations);
        var parameters = new float[spec.ParameterCount];
        for (l = 0; l < count; l++)
        {
            layerParameters[l].CopyTo(parameters, spec.Layers[l].WeightOffset);
        }

        return new TrainedModel(new Network(spec, parameters), ModelJsonMetadataReader.Read(root, spec, json));
    }

    private static (int Inputs, int Outputs, Activation Activation) ReadShape(JsonElement layer, int l, bool isOutput, JsonFieldReader json)
    {
        var path = ModelJsonPaths.Layer(l);
        json.RequireObject(layer, path);
        var inputs = json.PositiveInt(json.Property(layer, path, ModelJsonKeys.Inputs), ModelJsonPaths.Key(l, ModelJsonKeys.Inputs));
        var outputs = json.PositiveInt(json.Property(layer, path, ModelJsonKeys.Outputs), ModelJsonPaths.Key(l, ModelJsonKeys.Outputs));

        var activationPath = ModelJsonPaths.Key(l, ModelJsonKeys.Activation);
        var activationElement = json.Property(layer, path, ModelJsonKeys.Activation);
        var name = json.String(activationElement, activationPath);
        if (!ActivationNames.TryParse(name, out var activation))
        {
            throw json.Fail(activationPath, $"unknown activation '{JsonFieldReader.RawStringContent(activationElement)}' (use {ActivationNames.AcceptedNames})");
        }

        if (activation == Activation.Softmax && !isOutput)
        {
            throw json.Fail(activationPath, "softmax is only allowed on the output layer");
        }

        return (inputs, outputs, activation);
    }

    /// <summary>W (row-major, row j = <c>weights[j]</c>) followed by b, as the layer's slice of the flat buffer.</summary>
    private static float[] ReadParameters(JsonElement layer, int l, int inputs, int outputs, JsonFieldReader json)
    {
        var path = ModelJsonPaths.Layer(l);
        var parameters = new float[(inputs * outputs) + outputs];

        var weightsPath = ModelJsonPaths.Key(l, ModelJsonKeys.Weights);
        var weights = json.Property(layer, path, ModelJsonKeys.Weights);
        var rows = json.ArrayLength(weights, weightsPath, $"an array of {outputs} rows");
        if (rows != outputs)
        {
            throw json.Fail(weightsPath, $"expected {outputs} rows (one per output), got {rows}");
        }

        var j = 0;
        foreach (var row in weights.EnumerateArray())
        {
            json.Floats(row, $"{weightsPath}[{j}]", parameters.AsSpan(j * inputs, inputs));
            j++;
        }

        var biases = json.Property(layer, path, ModelJsonKeys.Biases);
        json.Floats(biases, ModelJsonPaths.Key(l, ModelJsonKeys.Biases), parameters.AsSpan(inputs * outputs, outputs));
        return parameters;
    }

    private static InvalidInputException SyntaxError(JsonException e, string source)
    {
        // The reader's message ends with " LineNumber: n | BytePositionInLine: m."; the line goes in front instead.
        var reason = e.Message;
        var positionAt = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (positionAt >= 0)
        {
            reason = reason[..positionAt];
        }

        reason = reason.ReplaceLineEndings(" ").TrimEnd(' ', '.');
        var location = e.LineNumber is long line ? $"line {line + 1}" : "JSON";
        return new InvalidInputException(source, location, $"invalid JSON ({reason})");
    }
}
