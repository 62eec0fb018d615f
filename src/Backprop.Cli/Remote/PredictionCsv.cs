using System.Globalization;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>
/// Writes predictions as CSV lines <c>class,output0,output1,...</c>, numbers in round-trip form; the class is its
/// name when the model has label names, else its number.
/// </summary>
internal static class PredictionCsv
{
    /// <summary>Writes the <paramref name="rows"/> predictions of <paramref name="response"/>.</summary>
    /// <exception cref="RemoteCallException">The response does not hold <paramref name="rows"/> predictions.</exception>
    public static void Write(PredictResponse response, int rows, TextWriter output)
    {
        float[] outputs;
        try
        {
            outputs = TensorBytes.ToArray(response.Outputs, "outputs");
        }
        catch (InvalidDataException error)
        {
            throw new RemoteCallException($"server error: {error.Message}", error);
        }

        if (response.Classes.Count != rows || outputs.Length % rows != 0 || (response.Labels.Count != 0 && response.Labels.Count != rows))
        {
            throw new RemoteCallException(
                $"server error: asked for {rows} predictions, got {response.Classes.Count} classes, {response.Labels.Count} labels and {outputs.Length} outputs");
        }

        Write(
            outputs,
            outputs.Length / rows,
            row => response.Labels.Count > 0 ? response.Labels[row] : response.Classes[row].ToString(CultureInfo.InvariantCulture),
            output);
    }

    /// <summary>Writes one line per row of <paramref name="outputs"/> (row-major, <paramref name="width"/> per row), starting with <paramref name="classOf"/> the row.</summary>
    public static void Write(ReadOnlySpan<float> outputs, int width, Func<int, string> classOf, TextWriter output)
    {
        var line = new List<string>(width + 1);
        for (var row = 0; row < outputs.Length / width; row++)
        {
            line.Clear();
            line.Add(QuoteIfNeeded(classOf(row)));
            foreach (var value in outputs.Slice(row * width, width))
            {
                line.Add(value.ToString("R", CultureInfo.InvariantCulture));
            }

            output.WriteLine(string.Join(',', line));
        }
    }

    /// <summary>A class name as a CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break.</summary>
    private static string QuoteIfNeeded(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
