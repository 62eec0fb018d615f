using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 0, 0, 0 }, { 1, 1, 1 }, { 1, 5, 0 }, { 0, 3, 4 }, { 7, 13, 5 }, { 33, 65, 17 }, { 4, 300, 16 },
        { 5, 257, 33 }, { 16, 16, 16 }, { 3, 1, 31 }, { 9, 600, 40 }, { 64, 784, 24 },
        { 97, 129, 257 }, { 200, 260, 300 }, // packed B panels, several row and column blocks
    };

    public static IEnumerable<object[]> ShapesOnEveryPath =>
        from shape in Shapes
        from path in Enum.GetValues<SimdPath>()
        select new object[] { shape[0], shape[1], shape[2], path };

    [Theory]
    [MemberData(nameof(ShapesOnEveryPath))]
    public void Multiply_OddShapes_MatchesScalarReference(int m, int k, int n, SimdPath path)
    {
        var random = new Random(m * 10007 + k * 101 + n);
        var a = RandomMatrix(random, m * k);
        var b = RandomMatrix(random, k * n);
        var c = RandomMatrix(random, m * n); // stale values must be overwritten

        Gemm.Multiply(a, b, c, m, k, n, path);

        AssertClose(Reference(m, k, n, (i, p) => a[(i * k) + p], (p, j) => b[(p * n) + j]), c, k);
    }

    [Theory]
    [MemberData(nameof(ShapesOnEveryPath))]
    public void MultiplyTransposedA_OddShapes_MatchesScalarReference(int m, int k, int n, SimdPath path)
    {
        var random = new Random(m * 7919 + k * 31 + n);
        var a = RandomMatrix(random, k * m);
        var b = RandomMatrix(random, k * n);
        var c = RandomMatrix(random, m * n);

        Gemm.MultiplyTransposedA(a, m, b, c, m, k, n, path);

        AssertClose(Reference(m, k, n, (i, p) => a[(p * m) + i], (p, j) => b[(p * n) + j]), c, k);
    }

    [Theory]
    [MemberData(nameof(ShapesOnEveryPath))]
    public void MultiplyTransposedB_OddShapes_MatchesScalarReference(int m, int k, int n, SimdPath path)
    {
        var random = new Random(m * 6007 + k * 13 + n);
        var a = RandomMatrix(random, m * k);
        var b = RandomMatrix(random, n * k);
        var c = RandomMatrix(random, m * n);

        Gemm.MultiplyTransposedB(a, b, [], c, m, k, n, path);

        AssertClose(Reference(m, k, n, (i, p) => a[(i * k) + p], (p, j) => b[(j * k) + p]), c, k);
    }

    [Theory]
    [MemberData(nameof(ShapesOnEveryPath))]
    public void MultiplyTransposedBWithBias_OddShapes_AddsBiasToEveryRow(int m, int k, int n, SimdPath path)
    {
        var random = new Random(m * 3001 + k * 17 + n);
        var a = RandomMatrix(random, m * k);
        var b = RandomMatrix(random, n * k);
        var bias = RandomMatrix(random, n);
        var c = RandomMatrix(random, m * n);

        Gemm.MultiplyTransposedB(a, b, bias, c, m, k, n, path);

        AssertClose(Reference(m, k, n, (i, p) => p < k ? a[(i * k) + p] : 1, (p, j) => p < k ? b[(j * k) + p] : bias[j], extraTerm: true), c, k + 1);
    }

    public static TheoryData<SimdPath> VectorPaths => [.. Enum.GetValues<SimdPath>().Where(p => p != SimdPath.Scalar)];

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void BroadcastProducts_AnyPath_BitIdenticalToScalarPath(SimdPath path)
    {
        // Every path accumulates each element over k in the same order with one FMA per term.
        const int m = 23, k = 300, n = 77;
        var random = new Random(11);
        var a = RandomMatrix(random, m * k);
        var b = RandomMatrix(random, k * n);
        var scalar = new float[m * n];
        var vector = new float[m * n];

        Gemm.Multiply(a, b, scalar, m, k, n, SimdPath.Scalar);
        Gemm.Multiply(a, b, vector, m, k, n, path);

        Assert.Equal(scalar, vector);
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void DotProducts_AnyPath_BitIdenticalToScalarPath(SimdPath path)
    {
        // Every path sums each element's terms in Gemm.DotLanes lanes and adds the lanes along one tree;
        // k from 0 to 70 covers no lane block, whole blocks and every tail length.
        const int m = 9, n = 7;
        for (var k = 0; k <= 70; k++)
        {
            var random = new Random(k);
            var a = RandomMatrix(random, m * k);
            var b = RandomMatrix(random, n * k);
            var bias = RandomMatrix(random, n);
            var scalar = new float[m * n];
            var vector = new float[m * n];

            Gemm.MultiplyTransposedB(a, b, bias, scalar, m, k, n, SimdPath.Scalar);
            Gemm.MultiplyTransposedB(a, b, bias, vector, m, k, n, path);

            Assert.True(scalar.AsSpan().SequenceEqual(vector), $"k = {k}");
        }
    }

    [Fact]
    public void MultiplyTransposedA_ColumnBlocks_SameBitsAsWholeProduct()
    {
        const int m = 29, k = 40, n = 33;
        var random = new Random(12);
        var a = RandomMatrix(random, k * m);
        var b = RandomMatrix(random, k * n);
        var whole = new float[m * n];
        var blocks = new float[m * n];
        Gemm.MultiplyTransposedA(a, b, whole, m, k, n);

        foreach (var (first, count) in new[] { (0, 8), (8, 13), (21, 8) })
        {
            Gemm.MultiplyTransposedA(a.AsSpan(first), m, b, blocks.AsSpan(first * n, count * n), count, k, n, SimdPaths.Best);
        }

        Assert.Equal(whole, blocks);
    }

    [Theory]
    [MemberData(nameof(ShapesOnEveryPath))]
    public void MultiplyTransposedA_SubMatrixBlocks_SameBitsAsWholeProductAndRestUntouched(int m, int k, int n, SimdPath path)
    {
        // Arrange: the gradient's column blocks and row blocks of the leaves (micro-shards) of a batch
        var random = new Random(m * 4001 + k * 17 + n);
        var a = RandomMatrix(random, k * m);
        var b = RandomMatrix(random, k * n);
        var whole = new float[m * n];
        Gemm.MultiplyTransposedA(a, m, b, whole, m, k, n, path);
        var blocks = Enumerable.Repeat(42f, m * n).ToArray();
        var (neuronBlock, columnBlock) = (Math.Max(1, (m + 2) / 3), Math.Max(1, (n + 2) / 3));

        // Act
        for (var i = 0; i < m; i += neuronBlock)
        {
            for (var j = 0; j < n; j += columnBlock)
            {
                var (rows, columns) = (Math.Min(neuronBlock, m - i), Math.Min(columnBlock, n - j));
                Gemm.MultiplyTransposedA(a.AsSpan(i), m, b.AsSpan(j), n, blocks.AsSpan((i * n) + j), n, rows, k, columns, path);
            }
        }

        // Assert
        Assert.Equal(whole, blocks);
    }

    [Fact]
    public void MultiplyTransposedA_SubMatrixWithEmptyDepth_ClearsOnlyItsBlock()
    {
        var c = Enumerable.Repeat(42f, 12).ToArray();

        Gemm.MultiplyTransposedA([], 3, [], 4, c.AsSpan(1), 4, 2, 0, 2, SimdPaths.Best);

        Assert.Equal(new float[] { 42, 0, 0, 42, 42, 0, 0, 42, 42, 42, 42, 42 }, c);
    }

    [Fact]
    public void Multiply_DestinationLargerThanProduct_LeavesTheRestUntouched()
    {
        var a = new float[] { 1, 2, 3, 4 };
        var b = new float[] { 5, 6, 7, 8 };
        var c = new float[] { 9, 9, 9, 9, 42 };

        Gemm.Multiply(a, b, c, 2, 2, 2);

        Assert.Equal(new float[] { 19, 22, 43, 50, 42 }, c);
    }

    [Fact]
    public void Multiply_TooShortOperand_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[6], 2, 3, 2));
        Assert.Equal("a", error.ParamName);
    }

    internal static float[] RandomMatrix(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];

    /// <summary>Σ_p a(i, p)·b(p, j) in float64; with <paramref name="extraTerm"/> the sum runs to p = k (a bias as a (k+1)-th term).</summary>
    private static double[] Reference(int m, int k, int n, Func<int, int, float> a, Func<int, int, float> b, bool extraTerm = false)
    {
        var depth = extraTerm ? k + 1 : k;
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < depth; p++)
                {
                    sum += (double)a(i, p) * b(p, j);
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    /// <summary>Float32 accumulation of k products of values in [−1, 1]: error grows like k·ε.</summary>
    private static void AssertClose(double[] expected, float[] actual, int k)
    {
        var tolerance = 4 * (k + 1) * 1.2e-7;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
