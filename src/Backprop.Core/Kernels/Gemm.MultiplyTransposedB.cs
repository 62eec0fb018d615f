namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// C = A·Bᵀ for row-major A [m×k], B [n×k], C [m×n] (the forward product A_prev·Wᵀ, with W stored
    /// as [outputs × inputs]): every element is the dot product of a row of A and a row of B.
    /// </summary>
    /// <remarks>C_ij = Σ_p A_ip B_jp.</remarks>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n) =>
        MultiplyTransposedB(a, b, destination, m, k, n, SimdPaths.Best);

    /// <summary><see cref="MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/> on a given path.</summary>
    internal static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n, SimdPath path)
    {
        CheckShapes(a.Length, b.Length, destination.Length, m, k, n);
        DotProduct(a, b, destination[..(m * n)], m, k, n, path);
    }
}
