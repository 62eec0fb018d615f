using System.Numerics.Tensors;

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

        destination.Clear();
        for (var start = 0; start < matrix.Length; start += width)
        {
            TensorPrimitives.Add(destination, matrix.Slice(start, width), destination);
        }
    }
}
