using Backprop.Core.Data;

namespace Backprop.Core.Model;

/// <summary>
/// What a model needs besides its weights to be used on a table as its user has it: the names of the features it
/// reads, the names of the classes it predicts, and the standardization its inputs need. Each is optional.
/// </summary>
/// <param name="FeatureNames">The input columns' names, in input order; null when the training data had no header.</param>
/// <param name="LabelNames">The class names, in output order; null when the classes are numbered.</param>
/// <param name="Standardization">Applied to every input row before the network; null for raw inputs.</param>
public sealed record ModelMetadata(
    IReadOnlyList<string>? FeatureNames = null,
    IReadOnlyList<string>? LabelNames = null,
    Standardization? Standardization = null)
{
    /// <summary>No names and no preprocessing: a model as the v1 format describes it.</summary>
    public static readonly ModelMetadata None = new();

    /// <summary>Whether nothing is set.</summary>
    public bool IsEmpty => FeatureNames is null && LabelNames is null && Standardization is null;

    /// <summary>The metadata of a model trained on <paramref name="data"/>.</summary>
    public static ModelMetadata Of(DatasetSplit data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ModelMetadata(data.Train.FeatureNames, data.Train.LabelNames, data.Standardization);
    }

    /// <summary>The name of class <paramref name="index"/>: its label name, or its number.</summary>
    public string ClassName(int index) =>
        LabelNames is { } names ? names[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Standardizes rows of inputs in place, when the model has a standardization.</summary>
    public void Prepare(Span<float> inputs) => Standardization?.Apply(inputs);

    /// <summary>The problem that keeps this metadata from fitting <paramref name="spec"/>, or null.</summary>
    public string? MismatchWith(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (FeatureNames is { } features && features.Count != spec.InputSize)
        {
            return $"{features.Count} feature names for {spec.InputSize} inputs";
        }

        if (LabelNames is { } labels && labels.Count != spec.OutputSize)
        {
            return $"{labels.Count} label names for {spec.OutputSize} outputs";
        }

        return Standardization is { } standardization && standardization.Size != spec.InputSize
            ? $"a standardization of {standardization.Size} features for {spec.InputSize} inputs"
            : null;
    }
}
