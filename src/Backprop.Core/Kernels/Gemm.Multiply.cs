namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>C = A·B for row-major A [m×k], B [k×n], C [m×n] (the backward product Δ·W).</summary>
    /// <remarks>C_ij = Σ_p A_ip B_pj.</remarks>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n) =>
        Multiply(a, b, destination, m, k, n, SimdPaths.Best);

    /// <summary><see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/> on a given path (tests force each one).</summary>
    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n, SimdPath path)
    {
        CheckShapes(a.Length, b.Length, destination.Length, m, k, n);
        BroadcastProduct(a, k, 1, b, n, destination, n, m, k, n, path);
    }
}
