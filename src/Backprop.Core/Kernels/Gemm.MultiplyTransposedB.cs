namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// C = A·Bᵀ for row-major A [m×k], B [n×k], C [m×n] (the forward product A_prev·Wᵀ, with W stored
    /// as [outputs × inputs]): every element is the dot product of a row of A and a row of B.
    /// </summary>
    /// <remarks>C_ij = Σ_p A_ip B_jp.</remarks>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, int m, int k, int n) =>
        MultiplyTransposedB(a, b, [], destination, m, k, n, SimdPaths.Best);

    /// <summary>
    /// C = A·Bᵀ + 1·biasᵀ (the forward pre-activations Z = A_prev·Wᵀ + b, the bias added as each element
    /// is stored); an empty <paramref name="bias"/> adds nothing.
    /// </summary>
    internal static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> destination, int m, int k, int n, SimdPath path)
    {
        CheckDimensions(m, k, n);
        CheckLength(a.Length, m, k, "a");
        CheckLength(b.Length, n, k, "b");
        CheckLength(destination.Length, m, n, "destination");
        if (!bias.IsEmpty && bias.Length != n)
        {
            throw new ArgumentException($"bias holds {bias.Length} values, needs {n}", nameof(bias));
        }

        DotProduct(a, b, bias, destination[..(m * n)], m, k, n, path);
    }
}
