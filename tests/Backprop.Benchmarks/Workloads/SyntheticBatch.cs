namespace Backprop.Benchmarks.Workloads;

/// <summary>
/// One seeded, MNIST-shaped batch: inputs uniform in [0, 1), a random class per sample as a label
/// and as a one-hot target row. Dense kernels do the same work whatever the values.
/// </summary>
public sealed class SyntheticBatch
{
    /// <summary>Draws <paramref name="rows"/> samples with <paramref name="inputs"/> features and <paramref name="classes"/> classes.</summary>
    public SyntheticBatch(int rows, int inputs, int classes, int seed)
    {
        var random = new Random(seed);
        Rows = rows;
        Inputs = new float[rows * inputs];
        for (var i = 0; i < Inputs.Length; i++)
        {
            Inputs[i] = random.NextSingle();
        }

        Labels = new long[rows];
        Targets = new float[rows * classes];
        for (var r = 0; r < rows; r++)
        {
            Labels[r] = random.Next(classes);
            Targets[(r * classes) + (int)Labels[r]] = 1f;
        }
    }

    /// <summary>Samples in the batch.</summary>
    public int Rows { get; }

    /// <summary>Row-major [rows × inputs].</summary>
    public float[] Inputs { get; }

    /// <summary>Class of each sample.</summary>
    public long[] Labels { get; }

    /// <summary>One-hot rows, [rows × classes].</summary>
    public float[] Targets { get; }
}
