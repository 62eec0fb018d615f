using System.Globalization;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>Writes predictions as CSV lines <c>class,output0,output1,...</c>, numbers in round-trip form.</summary>
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

        if (response.Classes.Count != rows || outputs.Length % rows != 0)
        {
            throw new RemoteCallException($"server error: asked for {rows} predictions, got {response.Classes.Count} classes and {outputs.Length} outputs");
        }

        var width = outputs.Length / rows;
        var line = new List<string>(width + 1);
        for (var row = 0; row < rows; row++)
        {
            line.Clear();
            line.Add(response.Classes[row].ToString(CultureInfo.InvariantCulture));
            for (var j = 0; j < width; j++)
            {
                line.Add(outputs[(row * width) + j].ToString("R", CultureInfo.InvariantCulture));
            }

            output.WriteLine(string.Join(',', line));
        }
    }
}
