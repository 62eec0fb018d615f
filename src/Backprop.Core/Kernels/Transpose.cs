namespace Backprop.Core.Kernels;

/// <summary>Matrix transpose, in cache-sized blocks.</summary>
public static class Transpose
{
    private const int Block = 32;

    /// <summary>destination [cols×rows] = sourceᵀ for a row-major source [rows×cols].</summary>
    public static void Matrix(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (source.Length < (long)rows * cols)
        {
            throw new ArgumentException($"source holds {source.Length} values, needs {(long)rows * cols}", nameof(source));
        }

        if (destination.Length < (long)rows * cols)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, needs {(long)rows * cols}", nameof(destination));
        }

        for (var r0 = 0; r0 < rows; r0 += Block)
        {
            var rEnd = Math.Min(rows, r0 + Block);
            for (var c0 = 0; c0 < cols; c0 += Block)
            {
                var cEnd = Math.Min(cols, c0 + Block);
                for (var r = r0; r < rEnd; r++)
                {
                    for (var c = c0; c < cEnd; c++)
                    {
                        destination[(c * rows) + r] = source[(r * cols) + c];
                    }
                }
            }
        }
    }
}
