using Backprop.Core.Metrics;
using Backprop.Core.Model;

namespace Backprop.Protocol;

/// <summary>A model's metrics between Core (<see cref="ModelMetrics"/>) and protobuf (<see cref="V1.ModelMetrics"/>).</summary>
public static class MetricsConverter
{
    /// <summary>
    /// The protobuf form of <paramref name="metrics"/>, computed on the <paramref name="evaluatedOn"/> data ("test" or
    /// "validation"), with each class named as <paramref name="model"/> names it.
    /// </summary>
    public static V1.ModelMetrics MetricsToProto(ModelMetrics metrics, string evaluatedOn, ModelMetadata model)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(model);
        var proto = new V1.ModelMetrics { EvaluatedOn = evaluatedOn, Dataset = metrics.Dataset };
        if (metrics.Classification is { } classification)
        {
            proto.Samples = classification.Samples;
            proto.Classification = new V1.ClassificationMetrics { Accuracy = classification.Accuracy, MacroF1 = classification.MacroF1 };
            proto.Classification.Classes.Add(classification.Classes.Select(c => new V1.ClassMetrics
            {
                Name = model.ClassName(c.Class),
                Support = c.Support,
                Predicted = c.Predicted,
                Precision = c.Precision,
                Recall = c.Recall,
                F1 = c.F1,
            }));
            proto.Classification.ConfusionMatrix.Add(classification.ConfusionMatrix.Select(row => new V1.ConfusionRow { Predicted = { row } }));
        }
        else if (metrics.Regression is { } regression)
        {
            proto.Samples = regression.Samples;
            proto.Regression = new V1.RegressionMetrics { Rmse = regression.Rmse, Mae = regression.Mae, R2 = regression.R2 };
        }

        return proto;
    }

    /// <summary>The Core form of <paramref name="proto"/>, and the class names it carries (null for regression).</summary>
    public static (ModelMetrics Metrics, IReadOnlyList<string>? ClassNames) MetricsFrom(V1.ModelMetrics proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        switch (proto.TaskCase)
        {
            case V1.ModelMetrics.TaskOneofCase.Classification:
                var classification = proto.Classification;
                var classes = classification.Classes.Select((c, i) => new ClassMetrics(i, c.Support, c.Predicted, c.Precision, c.Recall, c.F1)).ToList();
                var confusion = classification.ConfusionMatrix.Select(row => (IReadOnlyList<int>)[.. row.Predicted]).ToList();
                return (
                    new ModelMetrics(proto.Dataset, new ClassificationMetrics(proto.Samples, classification.Accuracy, classes, classification.MacroF1, confusion), null),
                    [.. classification.Classes.Select(c => c.Name)]);
            case V1.ModelMetrics.TaskOneofCase.Regression:
                var regression = proto.Regression;
                return (new ModelMetrics(proto.Dataset, null, new RegressionMetrics(proto.Samples, regression.Rmse, regression.Mae, regression.R2)), null);
            default:
                throw new ArgumentException("the metrics are neither a classification's nor a regression's", nameof(proto));
        }
    }
}
