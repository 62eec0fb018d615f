using Backprop.Core.Metrics;

namespace Backprop.Core.Tests.Metrics;

public sealed class RegressionMetricsTests
{
    // Worked by hand: y = 1 2 3 4, ŷ = 1.5 2 2 5; errors −0.5 0 1 −1.
    // Σe² = 2.25 → RMSE = √(2.25 / 4) = 0.75; Σ|e| = 2.5 → MAE = 0.625; ȳ = 2.5, Σ(y − ȳ)² = 5 → R² = 1 − 2.25 / 5 = 0.55.
    private static readonly float[] Targets = [1, 2, 3, 4];
    private static readonly float[] Outputs = [1.5f, 2, 2, 5];

    [Fact]
    public void Compute_OneTarget_GivesHandComputedValues()
    {
        var metrics = RegressionMetrics.Compute(Targets, Outputs, 1);

        Assert.Equal(4, metrics.Samples);
        Assert.Equal(0.75, metrics.Rmse, 12);
        Assert.Equal(0.625, metrics.Mae, 12);
        Assert.Equal(0.55, metrics.R2, 12);
    }

    [Fact]
    public void Compute_SecondTargetConstantAndExact_AveragesItsR2OfOne()
    {
        // Rows (y1, y2): the first column as above, the second always 10 and predicted exactly.
        var metrics = RegressionMetrics.Compute([1, 10, 2, 10, 3, 10, 4, 10], [1.5f, 10, 2, 10, 2, 10, 5, 10], 2);

        Assert.Equal(Math.Sqrt(2.25 / 8), metrics.Rmse, 12);
        Assert.Equal(2.5 / 8, metrics.Mae, 12);
        Assert.Equal((0.55 + 1) / 2, metrics.R2, 12);
    }

    [Fact]
    public void Compute_ConstantTargetMissed_HasR2Zero() =>
        Assert.Equal(0, RegressionMetrics.Compute([3, 3], [3, 4], 1).R2);

    [Fact]
    public void Compute_PredictingTheMean_HasR2Zero() =>
        Assert.Equal(0, RegressionMetrics.Compute(Targets, [2.5f, 2.5f, 2.5f, 2.5f], 1).R2, 12);

    [Fact]
    public void Compute_WorseThanTheMean_HasNegativeR2() =>
        Assert.True(RegressionMetrics.Compute(Targets, [4, 3, 2, 1], 1).R2 < 0);

    [Fact]
    public void Compute_RowsIncomplete_Throws() =>
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1, 2, 3], [1, 2, 3], 2));

    [Fact]
    public void Compute_NoSamples_Throws() =>
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([], [], 1));
}
