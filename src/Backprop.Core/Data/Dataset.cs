using System.Runtime.CompilerServices;

namespace Backprop.Core.Data;

/// <summary>
/// Samples in memory: features row-major [<see cref="Count"/> × <see cref="InputSize"/>] and targets
/// row-major [<see cref="Count"/> × <see cref="TargetSize"/>]. For classification data the targets are
/// one-hot rows and <see cref="Labels"/> holds the class of each sample.
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps the given arrays (not copied).</summary>
    public Dataset(string name, int inputSize, int targetSize, float[] features, float[] targets, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
        if (features.Length % inputSize != 0)
        {
            throw new ArgumentException($"features length {features.Length} is not a multiple of the input size {inputSize}", nameof(features));
        }

        var count = features.Length / inputSize;
        if (targets.Length != count * targetSize)
        {
            throw new ArgumentException($"targets length {targets.Length} does not match {count} samples × {targetSize}", nameof(targets));
        }

        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"labels length {labels.Length} does not match {count} samples", nameof(labels));
        }

        Name = name;
        InputSize = inputSize;
        TargetSize = targetSize;
        Features = features;
        Targets = targets;
        Labels = labels;
        Count = count;
    }

    /// <summary>Where the data came from (file path or built-in name), used in messages.</summary>
    public string Name { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Features per sample.</summary>
    public int InputSize { get; }

    /// <summary>Target values per sample.</summary>
    public int TargetSize { get; }

    /// <summary>All features, row-major.</summary>
    public float[] Features { get; }

    /// <summary>All targets, row-major.</summary>
    public float[] Targets { get; }

    /// <summary>Class label of each sample when the targets are one-hot classes; otherwise null.</summary>
    public int[]? Labels { get; }

    /// <summary>The names of the features, in order, when the data came from a table with a header; otherwise null.</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The class names, in class order, when the labels were written as names; otherwise null.</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> FeaturesOf(int index) => Features.AsSpan(index * InputSize, InputSize);

    /// <summary>The targets of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> TargetsOf(int index) => Targets.AsSpan(index * TargetSize, TargetSize);

    /// <summary>
    /// Copies the samples <paramref name="indices"/>, in that order, into the first rows of a batch: row-major
    /// <paramref name="features"/> [rows × InputSize] and <paramref name="targets"/> [rows × TargetSize].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a sample of this dataset.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Gather(ReadOnlySpan<int> indices, Span<float> features, Span<float> targets)
    {
        for (var r = 0; r < indices.Length; r++)
        {
            var index = indices[r];
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample index {index} is outside 0..{Count - 1}");
            }

            FeaturesOf(index).CopyTo(features[(r * InputSize)..]);
            TargetsOf(index).CopyTo(targets[(r * TargetSize)..]);
        }
    }
}
