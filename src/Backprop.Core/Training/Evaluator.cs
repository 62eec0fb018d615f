using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Training;

/// <summary>Forward-only passes over a whole dataset: loss, accuracy and predictions.</summary>
public static class Evaluator
{
    /// <summary>Samples per forward pass.</summary>
    public const int BatchRows = 256;

    /// <summary>
    /// The outputs of <paramref name="network"/> for <paramref name="rows"/> input rows (row-major), in batches of
    /// <see cref="BatchRows"/>, and each row's arg-max class.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not fit <paramref name="rows"/> and the network's sizes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Predict(Network network, ReadOnlySpan<float> inputs, int rows, Span<float> outputs, Span<int> classes)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var spec = network.Spec;
        if (inputs.Length != rows * spec.InputSize || outputs.Length != rows * spec.OutputSize || classes.Length != rows)
        {
            throw new ArgumentException(
                $"{rows} rows need {rows * spec.InputSize} inputs, {rows * spec.OutputSize} outputs and {rows} classes; got {inputs.Length}, {outputs.Length} and {classes.Length}");
        }

        using var pass = new Backpropagator(spec, Math.Clamp(rows, 1, BatchRows));
        for (var start = 0; start < rows; start += pass.MaxRows)
        {
            var batch = Math.Min(pass.MaxRows, rows - start);
            var output = pass.Forward(network.Parameters, inputs.Slice(start * spec.InputSize, batch * spec.InputSize), batch);
            output.CopyTo(outputs[(start * spec.OutputSize)..]);
            for (var r = 0; r < batch; r++)
            {
                classes[start + r] = TensorPrimitives.IndexOfMax(output.Slice(r * spec.OutputSize, spec.OutputSize));
            }
        }
    }

    /// <summary>Mean loss and (for labelled data) accuracy of <paramref name="network"/> on <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
