using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Core.Metrics;

/// <summary>
/// The metrics of a trained network on a dataset: <see cref="ClassificationMetrics"/> for class labels,
/// <see cref="RegressionMetrics"/> for real-valued targets (exactly one of them is set).
/// </summary>
/// <param name="Dataset">The name of the dataset evaluated.</param>
/// <param name="Classification">Set when the data has class labels.</param>
/// <param name="Regression">Set when the targets are real values.</param>
public sealed record ModelMetrics(string Dataset, ClassificationMetrics? Classification, RegressionMetrics? Regression)
{
    /// <summary>Runs <paramref name="network"/> over <paramref name="data"/> (forward only) and scores its outputs.</summary>
    /// <exception cref="ArgumentException">The data does not fit the network, or has no samples.</exception>
    public static ModelMetrics Evaluate(Network network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        var outputs = new float[data.Count * network.Spec.OutputSize];
        var predicted = new int[data.Count];
        Evaluator.Predict(network, data.Features, data.Count, outputs, predicted);
        return data.Labels is { } labels
            ? new ModelMetrics(data.Name, ClassificationMetrics.Compute(labels, predicted, network.Spec.OutputSize), null)
            : new ModelMetrics(data.Name, null, RegressionMetrics.Compute(data.Targets, outputs, data.TargetSize));
    }
}
