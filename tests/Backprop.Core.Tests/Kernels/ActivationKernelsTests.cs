using Backprop.Core.Kernels;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Kernels;

public class ActivationKernelsTests
{
    public static TheoryData<Activation> Elementwise => [Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Identity];

    [Theory]
    [MemberData(nameof(Elementwise))]
    public void Apply_EveryLength0To256_MatchesScalarReference(Activation activation)
    {
        for (var length = 0; length <= 256; length++)
        {
            var z = GemmTests.RandomMatrix(new Random(length), length).Select(v => v * 6).ToArray();
            var a = new float[length];

            ActivationKernels.Apply(activation, z, a, Math.Max(length, 1));

            for (var i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(ReferenceActivation(activation, z[i]) - a[i]) <= 2e-7, $"length {length}, element {i}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Elementwise))]
    public void Apply_InPlace_SameAsSeparateDestination(Activation activation)
    {
        var z = GemmTests.RandomMatrix(new Random(5), 77);
        var separate = new float[z.Length];
        ActivationKernels.Apply(activation, z, separate, 77);

        ActivationKernels.Apply(activation, z, z, 77);

        Assert.Equal(separate, z);
    }

    [Theory]
    [MemberData(nameof(Elementwise))]
    public void Apply_EveryShortLength_SameBitsAsInsideLongSpan(Activation activation)
    {
        // Arrange: the shard plan and the thread blocks hand the kernel spans of any length
        var z = GemmTests.RandomMatrix(new Random(11), 4096).Select(v => v * 6).ToArray();
        var expected = new float[z.Length];
        ActivationKernels.Apply(activation, z, expected, z.Length);

        for (var length = 1; length <= 20; length++)
        {
            for (var start = 0; start + length <= z.Length; start += length)
            {
                var actual = new float[length];

                // Act
                ActivationKernels.Apply(activation, z.AsSpan(start, length), actual, length);

                // Assert
                Assert.True(actual.AsSpan().SequenceEqual(expected.AsSpan(start, length)), $"length {length}, start {start}");
            }
        }
    }

    public static IEnumerable<object[]> EveryActivationOnEveryVectorPath =>
        from activation in Enum.GetValues<Activation>()
        from path in Enum.GetValues<SimdPath>()
        where path != SimdPath.Scalar
        select new object[] { activation, path };

    [Theory]
    [MemberData(nameof(EveryActivationOnEveryVectorPath))]
    public void Apply_AnyPath_BitIdenticalToScalarPath(Activation activation, SimdPath path)
    {
        // Arrange: where e^x is exact, rounds, underflows to subnormals and 0, and overflows; rows of 7 for softmax
        float[] special = [0f, -0f, 1e-30f, -1e-30f, 87.5f, -87.5f, 88.8f, -88.8f, 103.9f, -103.9f, 104.5f, -104.5f, 200f, -200f];
        var random = new Random(17);
        var z = special.Concat(Enumerable.Range(0, (7 * 40) - special.Length).Select(_ => (float)((random.NextDouble() - 0.5) * 60))).ToArray();
        if (activation != Activation.Softmax)
        {
            z = [.. z, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue, float.Epsilon];
        }

        var expected = new float[z.Length];
        ActivationKernels.Apply(activation, z, expected, 7, SimdPath.Scalar);
        var actual = new float[z.Length];

        // Act
        ActivationKernels.Apply(activation, z, actual, 7, path);

        // Assert
        for (var i = 0; i < z.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"z = {z[i]:R}: {path} gives {actual[i]:R}, the scalar path {expected[i]:R}");
        }
    }

    [Fact]
    public void SoftmaxRows_LargeLogits_RowsSumToOneWithoutOverflow()
    {
        var z = new float[] { 1000, 1001, 1002, -5, 0, 5, 0, 0, 0 };
        var a = new float[z.Length];

        ActivationKernels.SoftmaxRows(z, a, 3);

        for (var r = 0; r < 3; r++)
        {
            var row = z.AsSpan(r * 3, 3).ToArray().Select(v => (double)v).ToArray();
            var max = row.Max();
            var sum = row.Sum(v => Math.Exp(v - max));
            for (var k = 0; k < 3; k++)
            {
                Assert.Equal(Math.Exp(row[k] - max) / sum, a[(r * 3) + k], 6);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Elementwise))]
    public void MultiplyByDerivative_EveryLength0To256_MatchesScalarReference(Activation activation)
    {
        for (var length = 0; length <= 256; length++)
        {
            var random = new Random(1000 + length);
            var a = GemmTests.RandomMatrix(random, length).Select(v => ReferenceActivationOfUniform(activation, v)).ToArray();
            var delta = GemmTests.RandomMatrix(random, length);
            var expected = delta.Select((d, i) => d * ReferenceDerivativeFromActivation(activation, a[i])).ToArray();

            ActivationKernels.MultiplyByDerivative(activation, a, delta);

            for (var i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(expected[i] - delta[i]) <= 1e-6, $"length {length}, element {i}");
            }
        }
    }

    [Fact]
    public void MultiplyByDerivative_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => ActivationKernels.MultiplyByDerivative(Activation.Sigmoid, new float[3], new float[4]));
    }

    [Fact]
    public void MultiplyByDerivative_Softmax_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.MultiplyByDerivative(Activation.Softmax, new float[3], new float[3]));
    }

    [Fact]
    public void ColumnSums_EveryWidth_MatchesScalarReference()
    {
        for (var width = 1; width <= 70; width++)
        {
            var matrix = GemmTests.RandomMatrix(new Random(width), width * 5);
            var sums = new float[width];

            ColumnSums.Compute(matrix, sums, width);

            for (var j = 0; j < width; j++)
            {
                var expected = Enumerable.Range(0, 5).Sum(r => (double)matrix[(r * width) + j]);
                Assert.True(Math.Abs(expected - sums[j]) <= 1e-6, $"width {width}, column {j}");
            }
        }
    }

    private static double ReferenceActivation(Activation activation, double z) => activation switch
    {
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.Relu => Math.Max(0, z),
        _ => z,
    };

    /// <summary>An activation value in the range σ produces, from a uniform draw in [−1, 1].</summary>
    private static float ReferenceActivationOfUniform(Activation activation, float u) =>
        (float)ReferenceActivation(activation, 3 * u);

    private static double ReferenceDerivativeFromActivation(Activation activation, double a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.Relu => a > 0 ? 1 : 0,
        _ => 1,
    };
}
