using System.Numerics.Tensors;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Training;

/// <summary>Forward-only passes over a whole dataset: loss, accuracy and predictions.</summary>
public static class Evaluator
{
    /// <summary>Samples per forward pass.</summary>
    public const int BatchRows = 256;

    /// <summary>Mean loss and (for labelled data) accuracy of <paramref name="network"/> on <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(Network network, Dataset data, LossKind loss)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        var spec = network.Spec;
        var pass = new Backpropagator(spec, BatchRows);
        var outputs = spec.OutputSize;
        double lossSum = 0;
        var correct = 0;
        for (var start = 0; start < data.Count; start += BatchRows)
        {
            var rows = Math.Min(BatchRows, data.Count - start);
            var inputs = data.Features.AsSpan(start * data.InputSize, rows * data.InputSize);
            var targets = data.Targets.AsSpan(start * outputs, rows * outputs);
            var output = pass.Forward(network.Parameters, inputs, rows);
            lossSum += LossFunctions.Sum(loss, pass.PreActivations(spec.Layers.Count - 1, rows), output, targets, outputs);
            if (data.Labels is { } labels)
            {
                for (var r = 0; r < rows; r++)
                {
                    if (TensorPrimitives.IndexOfMax(output.Slice(r * outputs, outputs)) == labels[start + r])
                    {
                        correct++;
                    }
                }
            }
        }

        var count = Math.Max(data.Count, 1);
        return new Evaluation(lossSum / count, data.Labels is null ? null : (double)correct / count);
    }
}
