using System.Globalization;
using System.Text;
using Backprop.Core;
using Backprop.Core.Data;

namespace Backprop.Cli.Remote;

/// <summary>
/// Rows of network inputs from a CSV file: numbers separated by commas, every row as wide as the first,
/// an optional header row (any field not a number) skipped, blank lines ignored.
/// </summary>
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
    /// or a CSV file at that path.
    /// </summary>
    public static InputRows Load(string data)
    {
        if (!BuiltInDatasets.IsBuiltIn(data))
        {
            return Read(data);
        }

        var split = BuiltInDatasets.Load(data, seed: 1);
        var samples = split.Test ?? split.Train;
        return new InputRows(samples.Features, samples.InputSize, samples.Labels);
    }

    /// <summary>Reads the CSV file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, or a row is not numbers or not as wide as the first; the message names the line.</exception>
    public static InputRows Read(string path)
    {
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Read(reader, path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot open: {error.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Reads CSV text; <paramref name="source"/> names it in messages.</summary>
    public static InputRows Read(TextReader reader, string source)
    {
        var values = new List<float>();
        var columns = 0;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (columns == 0)
            {
                columns = fields.Length;
                if (fields.Any(field => !double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                {
                    continue;
                }
            }
            else if (fields.Length != columns)
            {
                throw new InvalidInputException(source, $"line {lineNumber}", $"expected {columns} values, found {fields.Length}");
            }

            for (var column = 0; column < fields.Length; column++)
            {
                if (!float.TryParse(fields[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                {
                    throw new InvalidInputException(source, $"line {lineNumber}, column {column + 1}", $"'{fields[column].Trim()}' is not a finite number");
                }

                values.Add(value);
            }
        }

        return values.Count == 0
            ? throw new InvalidInputException($"{source}: no rows of inputs")
            : new InputRows([.. values], columns);
    }
}
