namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>C = A·B for row-major A [m×k], B [k×n], C [m×n] (the backward product Δ·W).</summary>
    /// <remarks>C_ij = Σ_p A_ip B_pj.</remarks>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n)
    {
        CheckShapes(a.Length, b.Length, destination.Length, m, k, n);
        var c = destination[..(m * n)];
        c.Clear();
        MultiplyAccumulate(a, k, 1, b, c, m, k, n);
    }
}
