namespace Backprop.Core.Data;

/// <summary>
/// Synthetic interleaved spirals in 2-D: <see cref="DefaultArms"/> arms, one class per arm, each arm a full
/// turn from radius 0.1 to 1 with small Gaussian noise. A linear model cannot separate the arms; a 2-32-32-3
/// tanh network with softmax did, in a float64 check (Adam at 0.01 or momentum SGD at 0.1, batch 32),
/// reach ≥ 99% test accuracy by epoch 100.
/// </summary>
/// <remarks>
/// Sample i belongs to arm k = i mod arms, so classes are balanced and interleaved in order.
/// Its position along the arm is t ~ U[0, 1): radius r = 0.1 + 0.9·t, angle θ = 2πk/arms + 2π·t, and the
/// point is (r cos θ, r sin θ) + 𝒩(0, 0.03²) per coordinate. The same seed gives the same data
/// (System.Random with a seed is a fixed algorithm); the test split uses a seed derived from the training seed.
/// </remarks>
public static class SpiralDataset
{
    /// <summary>Arms, and so classes, of the built-in <c>spirals</c> dataset.</summary>
    public const int DefaultArms = 3;

    /// <summary>Training samples of the built-in dataset.</summary>
    public const int TrainSamples = 600;

    /// <summary>Test samples of the built-in dataset.</summary>
    public const int TestSamples = 300;

    private const double MinRadius = 0.1;
    private const double Turns = 1.0;
    private const double Noise = 0.03;

    /// <summary>The built-in split: <see cref="TrainSamples"/> training and <see cref="TestSamples"/> test points.</summary>
    public static DatasetSplit Load(int seed) => new(
        Generate(TrainSamples, DefaultArms, seed, "spirals:train"),
        Generate(TestSamples, DefaultArms, DeriveTestSeed(seed), "spirals:test"));

    /// <summary>
    /// <paramref name="samples"/> points on <paramref name="arms"/> spirals: 2 inputs, one-hot targets of
    /// <paramref name="arms"/> classes, labels set.
    /// </summary>
    public static Dataset Generate(int samples, int arms, int seed, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 2);
        ArgumentNullException.ThrowIfNull(name);
        var random = new Random(seed);
        var features = new float[2 * samples];
        var labels = new int[samples];
        for (var i = 0; i < samples; i++)
        {
            var arm = i % arms;
            var t = random.NextDouble();
            var radius = MinRadius + ((1 - MinRadius) * t);
            var angle = 2 * Math.PI * ((double)arm / arms + (Turns * t));
            features[2 * i] = (float)((radius * Math.Cos(angle)) + (Noise * StandardNormal(random)));
            features[(2 * i) + 1] = (float)((radius * Math.Sin(angle)) + (Noise * StandardNormal(random)));
            labels[i] = arm;
        }

        return new Dataset(name, 2, arms, features, OneHotEncoder.Encode(labels, arms), labels);
    }

    /// <summary>The seed of the test split: a bijective mix of the training seed, so distinct seeds stay distinct.</summary>
    internal static int DeriveTestSeed(int seed) => unchecked((int)(((uint)seed * 0x9E3779B9u) + 0x7F4A7C15u));

    private static double StandardNormal(Random random)
    {
        // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
