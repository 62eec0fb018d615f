namespace Backprop.Core.Data;

/// <summary>
/// Per-feature standardization, <c>x' = (x − mean) / scale</c>, fitted on training data and kept with the model so
/// that every prediction sees inputs transformed as the training data was.
/// </summary>
/// <remarks>
/// <para><c>scale</c> is the population standard deviation of the feature over the training samples, or 1 for a
/// feature that is constant there (it becomes 0 rather than a division by zero), as scikit-learn's
/// <c>StandardScaler</c> does. Mean and deviation are summed in float64 in sample order, so every node that fits
/// the same samples gets the same bits.</para>
/// <para>The transform is computed in float32 as a subtraction then a division, the order an ONNX graph's
/// <c>Sub</c> and <c>Div</c> use.</para>
/// </remarks>
public sealed class Standardization
{
    /// <summary>Wraps <paramref name="mean"/> and <paramref name="scale"/> (not copied).</summary>
    /// <exception cref="ArgumentException">Lengths differ, or a value is not finite, or a scale is not positive.</exception>
    public Standardization(float[] mean, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Length != scale.Length || mean.Length == 0)
        {
            throw new ArgumentException($"{mean.Length} means and {scale.Length} scales; expected one of each per feature", nameof(scale));
        }

        for (var j = 0; j < mean.Length; j++)
        {
            if (!float.IsFinite(mean[j]) || !float.IsFinite(scale[j]) || scale[j] <= 0)
            {
                throw new ArgumentException($"feature {j}: mean {mean[j]} and scale {scale[j]} must be finite, the scale > 0", nameof(scale));
            }
        }

        Mean = mean;
        Scale = scale;
    }

    /// <summary>The mean of each feature.</summary>
    public float[] Mean { get; }

    /// <summary>The divisor of each feature: its standard deviation, or 1 where that is 0.</summary>
    public float[] Scale { get; }

    /// <summary>Features per sample.</summary>
    public int Size => Mean.Length;

    /// <summary>The standardization of <paramref name="train"/>'s features.</summary>
    public static Standardization Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var width = train.InputSize;
        var sum = new double[width];
        for (var i = 0; i < train.Count; i++)
        {
            var row = train.FeaturesOf(i);
            for (var j = 0; j < width; j++)
            {
                sum[j] += row[j];
            }
        }

        var mean = new double[width];
        for (var j = 0; j < width; j++)
        {
            mean[j] = sum[j] / train.Count;
        }

        var squares = new double[width];
        for (var i = 0; i < train.Count; i++)
        {
            var row = train.FeaturesOf(i);
            for (var j = 0; j < width; j++)
            {
                var d = row[j] - mean[j];
                squares[j] += d * d;
            }
        }

        var scale = new float[width];
        for (var j = 0; j < width; j++)
        {
            var deviation = (float)Math.Sqrt(squares[j] / train.Count);
            scale[j] = deviation > 0 && float.IsFinite(deviation) ? deviation : 1f;
        }

        return new Standardization([.. mean.Select(m => (float)m)], scale);
    }

    /// <summary>Standardizes rows of features (row-major, <see cref="Size"/> per row) in place.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="Size"/>.</exception>
    public void Apply(Span<float> rows)
    {
        if (rows.Length % Size != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not rows of {Size} features", nameof(rows));
        }

        for (var start = 0; start < rows.Length; start += Size)
        {
            var row = rows.Slice(start, Size);
            for (var j = 0; j < row.Length; j++)
            {
                row[j] = (row[j] - Mean[j]) / Scale[j];
            }
        }
    }
}
