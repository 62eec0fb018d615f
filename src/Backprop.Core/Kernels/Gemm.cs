namespace Backprop.Core.Kernels;

/// <summary>
/// Single-precision matrix products on row-major matrices, for the three products of a training
/// step: forward <c>A·Wᵀ</c> (<see cref="MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>),
/// backward <c>Δ·W</c> (<see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>)
/// and weight gradient <c>Δᵀ·A</c> (<see cref="MultiplyTransposedA(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>).
/// </summary>
/// <remarks>
/// Cache-blocked, register-tiled kernels with fused multiply-adds, generic over the vector width and
/// compiled for <see cref="SimdPath.Vector512"/>, <see cref="SimdPath.Vector256"/>, <see cref="SimdPath.Vector128"/>
/// and <see cref="SimdPath.Scalar"/>; the public entry points use <see cref="SimdPaths.Best"/>.
/// Each element of C is computed by one fixed sequence of operations that does not depend on how
/// C is split into tiles, so computing any block of rows separately (one per thread) gives the same
/// bits as computing the whole product at once, and every path computes it alike (the broadcast form
/// as one FMA chain per element, the dot-product form in <see cref="DotLanes"/> lanes at every width),
/// so the bits do not depend on the CPU either.
/// </remarks>
public static partial class Gemm
{
    private static void CheckShapes(int aLength, int bLength, int destinationLength, int m, int k, int n)
    {
        CheckDimensions(m, k, n);
        CheckLength(aLength, m, k, "a");
        CheckLength(bLength, k, n, "b");
        CheckLength(destinationLength, m, n, "destination");
    }

    private static void CheckDimensions(int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
    }

    /// <summary>Checks that a matrix of <paramref name="rows"/> × <paramref name="columns"/>, rows <paramref name="rowStride"/> apart (default: dense), fits.</summary>
    /// <remarks>The message is built only on failure: a kernel call allocates nothing.</remarks>
    private static void CheckLength(int length, int rows, int columns, string name, int rowStride = -1)
    {
        rowStride = rowStride < 0 ? columns : rowStride;
        var needed = rows == 0 || columns == 0 ? 0 : ((long)(rows - 1) * rowStride) + columns;
        if (length < needed)
        {
            var layout = rowStride == columns ? string.Empty : $" with rows {rowStride} apart";
            throw new ArgumentException($"{name} holds {length} values, needs {needed} for {rows}×{columns}{layout}", name);
        }
    }
}
