using System.Globalization;

namespace Backprop.Core.Data.Tables;

/// <summary>
/// What each column of a table is: a feature, the class label, a real-valued target, or (when predicting with a
/// model that names its features) unused. Columns are 0-based here and 1-based in messages.
/// </summary>
internal sealed class TableLayout
{
    private TableLayout(IReadOnlyList<string>? names, int columnCount, int[] features, int label, int[] targets)
    {
        Names = names;
        ColumnCount = columnCount;
        Features = features;
        Label = label;
        Targets = targets;
    }

    /// <summary>The header's column names; null for a table without one.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>Columns in every row.</summary>
    public int ColumnCount { get; }

    /// <summary>The feature columns, in the order of the features.</summary>
    public int[] Features { get; }

    /// <summary>The label column; -1 when there is none.</summary>
    public int Label { get; }

    /// <summary>The target columns, in the order of the targets; empty for a class label.</summary>
    public int[] Targets { get; }

    /// <summary>The names of the feature columns; null without a header.</summary>
    public string[]? FeatureNames => Names is { } names ? [.. Features.Select(column => names[column])] : null;

    /// <summary>Column <paramref name="column"/> (0-based) as messages write it: <c>column 3 (petal_width)</c>.</summary>
    public string Describe(int column) =>
        Names is { } names ? $"column {column + 1} ({names[column]})" : $"column {column + 1}";

    /// <summary>The layout that <paramref name="options"/> give a table of <paramref name="columnCount"/> columns.</summary>
    /// <param name="names">The header; null without one (then only column numbers select).</param>
    /// <param name="columnCount">Columns per row.</param>
    /// <param name="options">The label or target columns.</param>
    /// <param name="source">Names the table in messages.</param>
    /// <param name="location">The first record's place in messages, e.g. <c>line 1</c>.</param>
    /// <exception cref="InvalidInputException">A named column is missing, or no feature column is left.</exception>
    public static TableLayout Of(IReadOnlyList<string>? names, int columnCount, TableOptions options, string source, string location)
    {
        int label = -1;
        int[] targets = [];
        if (options.TargetNames is { } targetNames)
        {
            targets = [.. targetNames.Select(name => FindName(names, name, "--targets", source))];
        }
        else if (options.TargetCount is { } count)
        {
            if (count >= columnCount)
            {
                throw new InvalidInputException(source, location, $"{count} target columns leave no input column in a row of {columnCount} fields");
            }

            targets = [.. Enumerable.Range(columnCount - count, count)];
        }
        else
        {
            label = options.LabelColumn is { } column ? FindColumn(names, columnCount, column, source) : columnCount - 1;
            if (columnCount < 2)
            {
                throw new InvalidInputException(source, location, $"1 field leaves no input column before the label");
            }
        }

        var features = Enumerable.Range(0, columnCount).Where(column => column != label && !targets.Contains(column)).ToArray();
        return features.Length == 0
            ? throw new InvalidInputException(source, location, "the target columns leave no input column")
            : new TableLayout(names, columnCount, features, label, targets);
    }

    /// <summary>
    /// The layout for a model's inputs: the columns named <paramref name="featureNames"/> when the table has a header
    /// and the model knows its features' names; otherwise every column, in order, and there must be
    /// <paramref name="inputSize"/> of them when that is given.
    /// </summary>
    /// <exception cref="InvalidInputException">A feature column is missing, or the number of columns differs.</exception>
    public static TableLayout OfInputs(IReadOnlyList<string>? names, int columnCount, IReadOnlyList<string>? featureNames, int? inputSize, string source)
    {
        if (names is not null && featureNames is not null)
        {
            var features = featureNames.Select(name => FindName(names, name, source, "its header row")).ToArray();
            return new TableLayout(names, columnCount, features, -1, []);
        }

        return inputSize is { } size && columnCount != size
            ? throw new InvalidInputException($"{source}: {columnCount} columns, but the model takes {size} inputs (or give the file a header row with the model's feature names)")
            : new TableLayout(names, columnCount, [.. Enumerable.Range(0, columnCount)], -1, []);
    }

    private static int FindColumn(IReadOnlyList<string>? names, int columnCount, string column, string source)
    {
        var byName = names is null ? -1 : IndexOf(names, column);
        if (byName >= 0)
        {
            return byName;
        }

        if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= columnCount)
        {
            return number - 1;
        }

        var choices = names is null ? $"the file has no header; give a column number 1..{columnCount}" : $"columns: {string.Join(", ", names)}";
        throw new InvalidInputException($"--label-column: '{column}' is neither a column name nor a column number 1..{columnCount} of {source} ({choices})");
    }

    /// <summary>The column named <paramref name="name"/>; errors start with <paramref name="what"/> (a flag or the source).</summary>
    private static int FindName(IReadOnlyList<string>? names, string name, string what, string table)
    {
        if (names is null)
        {
            throw new InvalidInputException($"{what}: column '{name}' is named, but {table} has no header row");
        }

        var index = IndexOf(names, name);
        return index >= 0
            ? index
            : throw new InvalidInputException($"{what}: no column '{name}' in {table} (columns: {string.Join(", ", names)})");
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i].Trim(), name.Trim(), StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
