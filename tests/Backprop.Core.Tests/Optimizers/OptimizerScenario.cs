namespace Backprop.Core.Tests.Optimizers;

/// <summary>
/// A few steps on random parameters and gradients, with a learning rate that changes between steps
/// as a schedule would. Parameters start at 1 ≤ |θ| ≤ 2 and gradients are small, so no parameter
/// comes near zero and a relative tolerance is meaningful.
/// </summary>
internal sealed class OptimizerScenario
{
    public const int ParameterCount = 37;
    public const double RelativeTolerance = 1e-6;

    public static readonly float[] LearningRates = [0.05f, 0.05f, 0.04f, 0.03f, 0.03f, 0.02f, 0.01f];

    public OptimizerScenario(int seed)
    {
        var random = new Random(seed);
        InitialParameters = [.. Enumerable.Range(0, ParameterCount).Select(_ => RandomSign(random) * (float)(1 + random.NextDouble()))];
        Gradients = [.. LearningRates.Select(_ => Enumerable.Range(0, ParameterCount)
            .Select(_ => RandomSign(random) * (float)(0.05 + (0.45 * random.NextDouble()))).ToArray())];
    }

    public float[] InitialParameters { get; }

    /// <summary>The mean gradient of each step.</summary>
    public float[][] Gradients { get; }

    public static double[] ToDouble(float[] values) => [.. values.Select(v => (double)v)];

    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, int step, string what = "θ")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= RelativeTolerance * Math.Abs(expected[i]),
                $"step {step}, {what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (relative error {error / Math.Abs(expected[i]):E2})");
        }
    }

    private static float RandomSign(Random random) => random.Next(2) == 0 ? -1f : 1f;
}
