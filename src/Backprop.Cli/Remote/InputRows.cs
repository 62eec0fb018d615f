using System.Globalization;
using System.Text;
using Backprop.Core;

namespace Backprop.Cli.Remote;

/// <summary>
/// Rows of network inputs from a CSV file: numbers separated by commas, every row as wide as the first,
/// an optional header row (any field not a number) skipped, blank lines ignored.
/// </summary>
internal sealed class InputRows
{
    private InputRows(float[] values, int columns)
    {
        Values = values;
        Columns = columns;
    }

    /// <summary>All values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>Values per row.</summary>
    public int Columns { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Values.Length / Columns;

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
