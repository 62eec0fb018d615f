namespace Backprop.Core.Data.Tables;

/// <summary>
/// The samples of a table as its reader adds them, row by row: the features, and either the class label or the
/// real-valued targets. <see cref="ToDataset"/> makes them a <see cref="Dataset"/>.
/// </summary>
internal sealed class TableRows
{
    private readonly string _source;
    private readonly TableLayout _layout;
    private readonly FloatChunks _features = new();
    private readonly FloatChunks _targets = new();

    /// <summary>Rows of <paramref name="source"/> laid out as <paramref name="layout"/> says.</summary>
    /// <param name="source">Names the table in messages and is the dataset's name.</param>
    /// <param name="layout">Which columns are features, the label and targets.</param>
    /// <param name="place">Formats the place of a row's label in messages.</param>
    /// <param name="classes">The training data's classes when this is its test data; null otherwise.</param>
    public TableRows(string source, TableLayout layout, Func<long, string> place, ClassSet? classes)
    {
        _source = source;
        _layout = layout;
        Labels = layout.Label >= 0 ? new ClassLabels(source, place, classes) : null;
    }

    /// <summary>The label column's labels; null when the table has targets (or only inputs).</summary>
    public ClassLabels? Labels { get; }

    /// <summary>Rows added.</summary>
    public long Count { get; private set; }

    /// <summary>Appends one feature value of the current row.</summary>
    public void AddFeature(float value) => _features.Add(value);

    /// <summary>Appends the feature values of whole rows (row-major).</summary>
    public void AddFeatures(ReadOnlySpan<float> values) => _features.AddRange(values);

    /// <summary>Appends one target value of the current row.</summary>
    public void AddTarget(float value) => _targets.Add(value);

    /// <summary>Appends the target values of whole rows (row-major).</summary>
    public void AddTargets(ReadOnlySpan<float> values) => _targets.AddRange(values);

    /// <summary>Counts <paramref name="rows"/> more rows as complete.</summary>
    public void EndRows(long rows = 1) => Count += rows;

    /// <summary>The feature values of the rows added, row-major (a table read as a model's inputs).</summary>
    /// <exception cref="InvalidInputException">No rows.</exception>
    public float[] ToInputs() =>
        Count == 0 ? throw new InvalidInputException($"{_source}: no rows of inputs") : _features.ToArray(_source);

    /// <summary>The dataset of the rows added; <paramref name="empty"/> is the reason when there are none.</summary>
    /// <exception cref="InvalidInputException">No rows, or more than fit in memory as one-hot targets.</exception>
    public Dataset ToDataset(string empty)
    {
        if (Count == 0)
        {
            throw new InvalidInputException($"{_source}: {empty}");
        }

        var features = _features.ToArray(_source);
        var featureNames = _layout.FeatureNames;
        if (Labels is null)
        {
            return new Dataset(_source, _layout.Features.Length, _layout.Targets.Length, features, _targets.ToArray(_source)) { FeatureNames = featureNames };
        }

        var (labels, classes) = Labels.Finish();
        if (Count * classes.Count > Array.MaxLength)
        {
            throw new InvalidInputException($"{_source}: {Count} rows × {classes.Count} classes of one-hot targets are too many to load");
        }

        return new Dataset(_source, _layout.Features.Length, classes.Count, features, OneHotEncoder.Encode(labels, classes.Count), labels)
        {
            FeatureNames = featureNames,
            LabelNames = classes.Names,
        };
    }
}
