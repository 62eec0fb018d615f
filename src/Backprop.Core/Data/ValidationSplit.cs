namespace Backprop.Core.Data;

/// <summary>
/// Holds out a seeded fraction of the training samples as validation data: per class for labelled data (stratified,
/// so every class keeps its share), over all samples otherwise. Both parts keep the samples' file order.
/// </summary>
public static class ValidationSplit
{
    /// <summary>The training samples of <paramref name="data"/> without the held-out ones, and the held-out ones.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="fraction">Share held out, 0 &lt; F &lt; 1; each class (or the whole data) gives round(count × F) samples, at least 1 of a class with 2 or more.</param>
    /// <param name="seed">Seeds the choice (a seeded <see cref="Random"/> is the same on every platform, so every node holds out the same samples).</param>
    /// <exception cref="InvalidInputException">The fraction is out of range, or leaves no training or no validation sample.</exception>
    public static (Dataset Train, Dataset Validation) Split(Dataset data, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction > 0 && fraction < 1))
        {
            throw new InvalidInputException($"--validation-split: must be a fraction between 0 and 1 (exclusive), got {fraction}");
        }

        var random = new Random(seed);
        var heldOut = new bool[data.Count];
        var groups = data.Labels is { } labels
            ? Enumerable.Range(0, data.Count).GroupBy(i => labels[i]).OrderBy(group => group.Key).Select(group => group.ToArray())
            : [Enumerable.Range(0, data.Count).ToArray()];
        foreach (var group in groups)
        {
            random.Shuffle(group);
            var take = (int)Math.Round(group.Length * fraction, MidpointRounding.AwayFromZero);
            take = group.Length >= 2 ? Math.Clamp(take, 1, group.Length - 1) : 0;
            foreach (var index in group.AsSpan(0, take))
            {
                heldOut[index] = true;
            }
        }

        var validation = Take(data, heldOut, true, " (validation)");
        var train = Take(data, heldOut, false, string.Empty);
        return validation.Count == 0 || train.Count == 0
            ? throw new InvalidInputException($"--validation-split: {fraction} of {data.Count} samples leaves no {(train.Count == 0 ? "training" : "validation")} sample")
            : (train.Dataset!, validation.Dataset!);
    }

    private static (int Count, Dataset? Dataset) Take(Dataset data, bool[] heldOut, bool which, string suffix)
    {
        var indices = Enumerable.Range(0, data.Count).Where(i => heldOut[i] == which).ToArray();
        if (indices.Length == 0)
        {
            return (0, null);
        }

        var features = new float[indices.Length * data.InputSize];
        var targets = new float[indices.Length * data.TargetSize];
        data.Gather(indices, features, targets);
        var dataset = new Dataset(data.Name + suffix, data.InputSize, data.TargetSize, features, targets, data.Labels is { } labels ? [.. indices.Select(i => labels[i])] : null)
        {
            FeatureNames = data.FeatureNames,
            LabelNames = data.LabelNames,
        };
        return (indices.Length, dataset);
    }
}
