namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// C = Aᵀ·B for row-major A [k×m], B [k×n], C [m×n] (the weight-gradient product Δᵀ·A_prev, which
    /// sums the per-sample outer products δ·a_prevᵀ over the k samples).
    /// </summary>
    /// <remarks>C_ij = Σ_p A_pi B_pj.</remarks>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n)
    {
        CheckShapes(a.Length, b.Length, destination.Length, m, k, n);
        var c = destination[..(m * n)];
        c.Clear();
        MultiplyAccumulate(a, 1, m, b, c, m, k, n);
    }
}
