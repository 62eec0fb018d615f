using System.Runtime.CompilerServices;

namespace Backprop.Core.Kernels;

/// <summary>Sums down the columns of a row-major matrix (the bias gradient Σ_samples δ).</summary>
public static class ColumnSums
{
    /// <summary>destination[j] = Σ_r matrix[r·width + j], rows added in order.</summary>
    public static void Compute(ReadOnlySpan<float> matrix, Span<float> destination, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (matrix.Length % width != 0)
        {
            throw new ArgumentException($"matrix has {matrix.Length} values, not a whole number of rows of {width}", nameof(matrix));
        }

        if (destination.Length != width)
        {
            throw new ArgumentException($"destination has {destination.Length} values, expected {width}", nameof(destination));
        }

        Compute(matrix, width, 0, destination);
    }

    /// <summary>
    /// destination[j] = Σ_r matrix[r·width + firstColumn + j] for j &lt; destination.Length: the sums of a
    /// block of columns, rows added in order (so any split into blocks gives the same bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Compute(ReadOnlySpan<float> matrix, int width, int firstColumn, Span<float> destination)
    {
        destination.Clear();
        if (destination.IsEmpty)
        {
            return;
        }

        for (var start = firstColumn; start < matrix.Length; start += width)
        {
            ElementwiseAdd.Compute(destination, matrix.Slice(start, destination.Length), destination);
        }
    }
}
