using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Backprop.Core.Model;

namespace Backprop.Core.Serialization;

/// <summary>
/// Writes a model as <see cref="ModelJson.FormatName"/> (or <see cref="ModelJson.FormatNameV2"/> with metadata): the
/// structure indented, each weight row, bias vector and name list compact on one line, every float in its shortest
/// round-trip form.
/// </summary>
internal static class ModelJsonWriter
{
    // Hand buffered output to the stream in chunks of about this size rather than holding the whole file.
    private const int FlushThresholdBytes = 1 << 16;

    private const int IndentSize = 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first NaN or infinite parameter, or a metadata mismatch.</summary>
    public static void EnsureWritable(TrainedModel model)
    {
        if (model.Metadata.MismatchWith(model.Network.Spec) is { } mismatch)
        {
            throw new ArgumentException($"the metadata does not fit the network: {mismatch}", nameof(model));
        }

        var network = model.Network;
        var parameters = network.Parameters;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!float.IsFinite(parameters[i]))
            {
                var where = ModelJsonPaths.OfParameter(network.Spec, i);
                var value = parameters[i].ToString(CultureInfo.InvariantCulture);
                throw new ArgumentException($"{where} is {value}: a model with non-finite parameters cannot be written as JSON", nameof(model));
            }
        }
    }

    public static void Write(TrainedModel model, Stream destination)
    {
        var (network, metadata) = model;
        var options = new JsonWriterOptions { Indented = true, IndentSize = IndentSize, NewLine = "\n" };
        var lineBuffer = new ArrayBufferWriter<byte>();
        using var lineWriter = new Utf8JsonWriter(lineBuffer);
        using var writer = new Utf8JsonWriter(destination, options);

        // A numeric array written compact into lineBuffer (after an optional line break and indent),
        // then inserted as one raw value: the indented writer alone would give every number a line.
        void WriteCompactArray(ReadOnlySpan<float> values, bool onNewLine)
        {
            lineBuffer.ResetWrittenCount();
            if (onNewLine)
            {
                var indent = writer.CurrentDepth * IndentSize;
                lineBuffer.Write("\n"u8);
                lineBuffer.GetSpan(indent)[..indent].Fill((byte)' ');
                lineBuffer.Advance(indent);
            }

            lineWriter.Reset(lineBuffer);
            lineWriter.WriteStartArray();
            foreach (var value in values)
            {
                lineWriter.WriteNumberValue(value);
            }

            lineWriter.WriteEndArray();
            lineWriter.Flush();
            writer.WriteRawValue(lineBuffer.WrittenSpan, skipInputValidation: true);
            if (writer.BytesPending > FlushThresholdBytes)
            {
                writer.Flush();
            }
        }

        void WriteCompactStrings(string key, IReadOnlyList<string> values)
        {
            lineBuffer.ResetWrittenCount();
            lineWriter.Reset(lineBuffer);
            lineWriter.WriteStartArray();
            foreach (var value in values)
            {
                lineWriter.WriteStringValue(value);
            }

            lineWriter.WriteEndArray();
            lineWriter.Flush();
            writer.WritePropertyName(key);
            writer.WriteRawValue(lineBuffer.WrittenSpan, skipInputValidation: true);
        }

        writer.WriteStartObject();
        writer.WriteString(ModelJsonKeys.Format, metadata.IsEmpty ? ModelJson.FormatName : ModelJson.FormatNameV2);
        if (metadata.FeatureNames is { } features)
        {
            WriteCompactStrings(ModelJsonKeys.Features, features);
        }

        if (metadata.LabelNames is { } labels)
        {
            WriteCompactStrings(ModelJsonKeys.Labels, labels);
        }

        if (metadata.Standardization is { } standardization)
        {
            writer.WriteStartObject(ModelJsonKeys.Standardization);
            writer.WritePropertyName(ModelJsonKeys.Mean);
            WriteCompactArray(standardization.Mean, onNewLine: false);
            writer.WritePropertyName(ModelJsonKeys.Scale);
            WriteCompactArray(standardization.Scale, onNewLine: false);
            writer.WriteEndObject();
        }

        writer.WriteStartArray(ModelJsonKeys.Layers);
        for (var l = 0; l < network.Spec.Layers.Count; l++)
        {
            var layer = network.Spec.Layers[l];
            var weights = network.Weights(l);
            writer.WriteStartObject();
            writer.WriteNumber(ModelJsonKeys.Inputs, layer.Inputs);
            writer.WriteNumber(ModelJsonKeys.Outputs, layer.Outputs);
            writer.WriteString(ModelJsonKeys.Activation, layer.Activation.ToName());
            writer.WriteStartArray(ModelJsonKeys.Weights);
            for (var j = 0; j < layer.Outputs; j++)
            {
                WriteCompactArray(weights.Slice(j * layer.Inputs, layer.Inputs), onNewLine: true);
            }

            writer.WriteEndArray();
            writer.WritePropertyName(ModelJsonKeys.Biases);
            WriteCompactArray(network.Biases(l), onNewLine: false);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }
}
