namespace Backprop.Core.Metrics;

/// <summary>How a network does on real-valued targets.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="Rmse">Root mean squared error over every target value: √(Σ(y − ŷ)² ÷ (N·K)).</param>
/// <param name="Mae">Mean absolute error over every target value: Σ|y − ŷ| ÷ (N·K).</param>
/// <param name="R2">
/// Coefficient of determination 1 − Σ(y − ŷ)² ÷ Σ(y − ȳ)², per target column and then averaged over the K columns (as
/// scikit-learn's <c>r2_score</c>, <c>multioutput="uniform_average"</c>). A column whose targets are all equal scores 1 when
/// predicted exactly, else 0.
/// </param>
public sealed record RegressionMetrics(int Samples, double Rmse, double Mae, double R2)
{
    /// <summary>The metrics of <paramref name="outputs"/> against <paramref name="targets"/>, both row-major [N × <paramref name="targetSize"/>].</summary>
    /// <remarks>Sums run in double, in sample order.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or are not whole rows.</exception>
    public static RegressionMetrics Compute(ReadOnlySpan<float> targets, ReadOnlySpan<float> outputs, int targetSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
        if (targets.Length != outputs.Length || targets.Length % targetSize != 0)
        {
            throw new ArgumentException($"{targets.Length} targets and {outputs.Length} outputs are not the same whole rows of {targetSize}", nameof(outputs));
        }

        if (targets.IsEmpty)
        {
            throw new ArgumentException("no samples to evaluate", nameof(targets));
        }

        var samples = targets.Length / targetSize;
        var means = new double[targetSize];
        for (var i = 0; i < targets.Length; i++)
        {
            means[i % targetSize] += targets[i];
        }

        for (var k = 0; k < targetSize; k++)
        {
            means[k] /= samples;
        }

        var residualSquares = new double[targetSize];
        var totalSquares = new double[targetSize];
        double absoluteSum = 0;
        for (var i = 0; i < targets.Length; i++)
        {
            var error = (double)targets[i] - outputs[i];
            var deviation = targets[i] - means[i % targetSize];
            residualSquares[i % targetSize] += error * error;
            totalSquares[i % targetSize] += deviation * deviation;
            absoluteSum += Math.Abs(error);
        }

        double r2Sum = 0;
        for (var k = 0; k < targetSize; k++)
        {
            r2Sum += totalSquares[k] == 0
                ? (residualSquares[k] == 0 ? 1 : 0)
                : 1 - (residualSquares[k] / totalSquares[k]);
        }

        return new RegressionMetrics(samples, Math.Sqrt(residualSquares.Sum() / targets.Length), absoluteSum / targets.Length, r2Sum / targetSize);
    }
}
