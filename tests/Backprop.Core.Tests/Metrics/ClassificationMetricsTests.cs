using Backprop.Core.Metrics;

namespace Backprop.Core.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    // Worked by hand. Confusion matrix (row = true, column = predicted):
    //   true 0: [2, 1, 0]   true 1: [0, 2, 0]   true 2: [1, 1, 0]
    // class 0: TP 2 of 3 predicted, 3 samples: P = R = F1 = 2/3
    // class 1: TP 2 of 4 predicted, 2 samples: P = 1/2, R = 1, F1 = 2/3
    // class 2: never predicted, 2 samples: P = 0 (defined), R = 0, F1 = 0
    private static readonly int[] Actual = [0, 0, 0, 1, 1, 2, 2];
    private static readonly int[] Predicted = [0, 0, 1, 1, 1, 0, 1];

    [Fact]
    public void Compute_ThreeClasses_GivesHandComputedConfusionMatrix()
    {
        var metrics = ClassificationMetrics.Compute(Actual, Predicted, 3);

        Assert.Equal([2, 1, 0], metrics.ConfusionMatrix[0]);
        Assert.Equal([0, 2, 0], metrics.ConfusionMatrix[1]);
        Assert.Equal([1, 1, 0], metrics.ConfusionMatrix[2]);
        Assert.Equal(7, metrics.Samples);
        Assert.Equal(4.0 / 7, metrics.Accuracy, 12);
    }

    [Fact]
    public void Compute_ThreeClasses_GivesHandComputedPrecisionRecallAndF1()
    {
        var metrics = ClassificationMetrics.Compute(Actual, Predicted, 3);

        AssertClass(metrics.Classes[0], support: 3, predicted: 3, precision: 2.0 / 3, recall: 2.0 / 3, f1: 2.0 / 3);
        AssertClass(metrics.Classes[1], support: 2, predicted: 4, precision: 0.5, recall: 1, f1: 2.0 / 3);
        Assert.Equal(4.0 / 9, metrics.MacroF1, 12);
    }

    [Fact]
    public void Compute_ClassNeverPredicted_HasPrecisionZeroAndCountsInMacroF1()
    {
        var metrics = ClassificationMetrics.Compute(Actual, Predicted, 3);

        AssertClass(metrics.Classes[2], support: 2, predicted: 0, precision: 0, recall: 0, f1: 0);
        Assert.Equal((2.0 / 3 + 2.0 / 3 + 0) / 3, metrics.MacroF1, 12);
    }

    [Fact]
    public void Compute_ClassAbsentAndNeverPredicted_IsLeftOutOfMacroF1()
    {
        var metrics = ClassificationMetrics.Compute(Actual, Predicted, 4);

        AssertClass(metrics.Classes[3], support: 0, predicted: 0, precision: 0, recall: 0, f1: 0);
        Assert.Equal(4.0 / 9, metrics.MacroF1, 12);
        Assert.Equal([0, 0, 0, 0], metrics.ConfusionMatrix[3]);
    }

    [Fact]
    public void Compute_ClassPredictedButAbsent_HasRecallZeroAndCountsInMacroF1()
    {
        // true: 0 0 ; predicted: 0 1 → class 0: P 1, R 1/2, F1 2/3; class 1: P 0 (0 of 1), R 0 (no samples), F1 0.
        var metrics = ClassificationMetrics.Compute([0, 0], [0, 1], 2);

        AssertClass(metrics.Classes[1], support: 0, predicted: 1, precision: 0, recall: 0, f1: 0);
        Assert.Equal(1.0 / 3, metrics.MacroF1, 12);
    }

    [Fact]
    public void Compute_AllCorrect_ScoresOneEverywhere()
    {
        var metrics = ClassificationMetrics.Compute([1, 0, 1], [1, 0, 1], 2);

        Assert.Equal(1, metrics.Accuracy);
        Assert.Equal(1, metrics.MacroF1);
        Assert.All(metrics.Classes, c => Assert.Equal(1, c.F1));
    }

    [Fact]
    public void Compute_ClassOutOfRange_ThrowsNamingTheSample() =>
        Assert.Contains("sample 1", Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 2], [0, 0], 2)).Message);

    [Fact]
    public void Compute_LengthsDiffer_Throws() =>
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1], [0], 2));

    [Fact]
    public void Compute_NoSamples_Throws() =>
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([], [], 2));

    private static void AssertClass(ClassMetrics metrics, int support, int predicted, double precision, double recall, double f1)
    {
        Assert.Equal(support, metrics.Support);
        Assert.Equal(predicted, metrics.Predicted);
        Assert.Equal(precision, metrics.Precision, 12);
        Assert.Equal(recall, metrics.Recall, 12);
        Assert.Equal(f1, metrics.F1, 12);
    }
}
