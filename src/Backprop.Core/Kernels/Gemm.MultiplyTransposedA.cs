namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// C = Aᵀ·B for row-major A [k×m], B [k×n], C [m×n] (the weight-gradient product Δᵀ·A_prev, which
    /// sums the per-sample outer products δ·a_prevᵀ over the k samples).
    /// </summary>
    /// <remarks>C_ij = Σ_p A_pi B_pj.</remarks>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n) =>
        MultiplyTransposedA(a, m, b, destination, m, k, n, SimdPaths.Best);

    /// <summary>
    /// C = Aᵀ·B using columns 0..m−1 of A [k × <paramref name="aWidth"/>]: the block of C rows that one
    /// thread owns is the product of a block of A's columns (start the span at the block's first column).
    /// </summary>
    internal static void MultiplyTransposedA(ReadOnlySpan<float> a, int aWidth, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n, SimdPath path) =>
        MultiplyTransposedA(a, aWidth, b, n, destination, n, m, k, n, path);

    /// <summary>
    /// C = Aᵀ·B for sub-matrices: columns 0..m−1 of A [k × <paramref name="aWidth"/>], columns 0..n−1 of
    /// B [k × <paramref name="bWidth"/>] and of C [m × <paramref name="destinationWidth"/>] (start each span
    /// at the block's first element); C's other columns are left alone. Each element's bits are the
    /// same as in the whole product, so a product can be computed block by block.
    /// </summary>
    internal static void MultiplyTransposedA(
        ReadOnlySpan<float> a, int aWidth, ReadOnlySpan<float> b, int bWidth, Span<float> destination, int destinationWidth, int m, int k, int n, SimdPath path)
    {
        CheckDimensions(m, k, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(aWidth, m);
        ArgumentOutOfRangeException.ThrowIfLessThan(bWidth, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationWidth, n);
        CheckLength(a.Length, k, m, "a", aWidth);
        CheckLength(b.Length, k, n, "b", bWidth);
        CheckLength(destination.Length, m, n, "destination", destinationWidth);
        BroadcastProduct(a, 1, aWidth, b, bWidth, destination, destinationWidth, m, k, n, path);
    }
}
