using Backprop.Core;
using Backprop.Core.Data;

namespace Backprop.Cli.Remote;

/// <summary>Rows of network inputs from a table file (CSV or Parquet) or a built-in dataset.</summary>
internal sealed class InputRows
{
    private InputRows(float[] values, int columns, int[]? labels = null)
    {
        Values = values;
        Columns = columns;
        Labels = labels;
    }

    /// <summary>The class of each row, when the rows come from a labelled built-in dataset; null for a CSV file.</summary>
    public int[]? Labels { get; }

    /// <summary>All values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Values per row.</summary>
    public int Columns { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Values.Length / Columns;

    /// <summary>
    /// The rows of <paramref name="data"/>: a built-in dataset's test part (its training part if it has none),
    /// or a CSV or Parquet file at that path, read as <see cref="DatasetLoader.ReadInputs"/> says.
    /// </summary>
    /// <param name="data">A built-in dataset's name or a table file.</param>
    /// <param name="header">CSV: whether the first row is a header; null to detect it.</param>
    /// <param name="featureNames">The model's feature names, to pick the columns of a table with a header; null for every column.</param>
    /// <param name="inputSize">The model's inputs, when known.</param>
    /// <exception cref="InvalidInputException">The file is missing, or a row is not numbers or not as wide as the first; the message names the line.</exception>
    public static InputRows Load(string data, bool? header, IReadOnlyList<string>? featureNames, int? inputSize)
    {
        if (!BuiltInDatasets.IsBuiltIn(data))
        {
            var (values, columns) = DatasetLoader.ReadInputs(data, header, featureNames, inputSize);
            return new InputRows(values, columns);
        }

        var split = BuiltInDatasets.Load(data, seed: 1);
        var samples = split.Test ?? split.Train;
        return new InputRows(samples.Features, samples.InputSize, samples.Labels);
    }
}
