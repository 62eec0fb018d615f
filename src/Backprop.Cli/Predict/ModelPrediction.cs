using System.Globalization;
using Backprop.Cli.Remote;
using Backprop.Core;
using Backprop.Core.Serialization;
using Backprop.Core.Training;

namespace Backprop.Cli.Predict;

/// <summary><c>backprop predict --model MODEL.json --data FILE</c>: runs a model file on rows of inputs in this process.</summary>
internal static class ModelPrediction
{
    /// <summary>
    /// Predicts every row of <paramref name="data"/> with the model at <paramref name="modelPath"/>: the columns it was
    /// trained on (by name, when both have names), standardized as it was, each row's class named as in its labels.
    /// </summary>
    /// <exception cref="InvalidInputException">The model or the data cannot be read, or they do not fit.</exception>
    public static int Run(string modelPath, string data, bool? header, string? outPath, TextWriter output)
    {
        var model = ModelJson.Load(modelPath);
        var spec = model.Network.Spec;
        var inputs = InputRows.Load(data, header, model.Metadata.FeatureNames, spec.InputSize);
        if (inputs.Columns != spec.InputSize)
        {
            throw new InvalidInputException($"{data}: {inputs.Columns} inputs per row, but the model {modelPath} takes {spec.InputSize}");
        }

        model.Metadata.Prepare(inputs.Values);
        var outputs = new float[inputs.Count * spec.OutputSize];
        var classes = new int[inputs.Count];
        Evaluator.Predict(model.Network, inputs.Values, inputs.Count, outputs, classes);
        using (var file = outPath is null ? null : OutputFile.Create(outPath))
        {
            PredictionCsv.Write(outputs, spec.OutputSize, row => model.Metadata.ClassName(classes[row]), file ?? output);
        }

        if (outPath is not null)
        {
            output.WriteLine($"predictions written to {outPath}");
            if (inputs.Labels is { } labels)
            {
                var correct = labels.Where((label, row) => label == classes[row]).Count();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {100.0 * correct / inputs.Count:F2}% ({correct} of {inputs.Count} samples)"));
            }
        }

        return BackpropCli.Success;
    }
}
