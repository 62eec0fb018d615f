using Backprop.Core.Data;
using Backprop.Core.Metrics;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Metrics;

public sealed class ModelMetricsTests
{
    // One identity layer 1 → 2 with W = [1; -1], b = 0: output (x, −x), so x > 0 predicts class 0 and x < 0 class 1.
    private static Network Sign() => new(NetworkSpec.Create(1, [], 2, Activation.Identity, Activation.Identity), [1, -1, 0, 0]);

    [Fact]
    public void Evaluate_LabelledData_ScoresTheArgMaxClasses()
    {
        // x = 2, −1, 3, −4 with classes 0, 0, 1, 1 → predicted 0, 1, 0, 1.
        var data = new Dataset("signs", 1, 2, [2, -1, 3, -4], [1, 0, 1, 0, 0, 1, 0, 1], [0, 0, 1, 1]);

        var metrics = ModelMetrics.Evaluate(Sign(), data);

        Assert.Null(metrics.Regression);
        Assert.Equal("signs", metrics.Dataset);
        Assert.Equal(ClassificationMetrics.Compute([0, 0, 1, 1], [0, 1, 0, 1], 2), metrics.Classification, new ClassificationComparer());
    }

    [Fact]
    public void Evaluate_RealTargets_ScoresTheOutputs()
    {
        // Targets (x, −x) + (0.5, 0) for x = 1, 2: errors −0.5, 0, −0.5, 0 → MAE 0.25, RMSE √(0.5 / 4).
        var data = new Dataset("shifted", 1, 2, [1, 2], [1.5f, -1, 2.5f, -2]);

        var metrics = ModelMetrics.Evaluate(Sign(), data);

        Assert.Null(metrics.Classification);
        Assert.Equal(0.25, metrics.Regression!.Mae, 12);
        Assert.Equal(Math.Sqrt(0.5 / 4), metrics.Regression.Rmse, 12);
    }

    /// <summary>Records holding lists compare by reference; these compare by content.</summary>
    private sealed class ClassificationComparer : IEqualityComparer<ClassificationMetrics?>
    {
        public bool Equals(ClassificationMetrics? x, ClassificationMetrics? y) =>
            x is not null && y is not null && x.Samples == y.Samples && x.Accuracy == y.Accuracy && x.MacroF1 == y.MacroF1
            && x.Classes.SequenceEqual(y.Classes) && x.ConfusionMatrix.Zip(y.ConfusionMatrix).All(rows => rows.First.SequenceEqual(rows.Second));

        public int GetHashCode(ClassificationMetrics? obj) => 0;
    }
}
