using System.Text;
using Backprop.Core.Data.Tables;

namespace Backprop.Core.Data;

/// <summary>
/// Reads a CSV file into a <see cref="Dataset"/>, streaming it record by record.
/// </summary>
/// <remarks>
/// <para>Fields are separated by commas and may be quoted as RFC 4180 writes them (<see cref="CsvRecordReader"/>);
/// numbers use the invariant culture. Blank lines are skipped; <c>\n</c>, <c>\r\n</c> and <c>\r</c> end lines. The
/// first record is a header row when <see cref="TableOptions.Header"/> says so, or, when it is not given, as
/// <see cref="TableHeader"/> detects it. Every record must have as many fields as the first.</para>
/// <para>By default the last column is a class label (see <see cref="TableOptions"/> for another label column or
/// real-valued targets): integer labels 0..K−1 are the classes, labels written as names become classes in their
/// ordinal order, and the targets are one-hot rows of K columns. Test data uses the training data's classes.</para>
/// <para>Errors are <see cref="InvalidInputException"/>s naming the file, the 1-based line and column,
/// e.g. <c>train.csv: line 3, column 2 (width): 'abc' is not a number</c>.</para>
/// </remarks>
public static class CsvDatasetReader
{
    /// <summary>Largest number of classes a label column may imply; a larger label is almost surely not a class.</summary>
    public const int MaxClassCount = 65_536;

    /// <summary>Reads the CSV file at <paramref name="path"/> (UTF-8, a byte-order mark is allowed).</summary>
    /// <param name="path">The file; also the dataset's name and the source in messages.</param>
    /// <param name="options">Header, label or target columns; null for the defaults.</param>
    /// <param name="classes">The training data's classes when reading its test data; null to find them.</param>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not valid data.</exception>
    public static Dataset Read(string path, TableOptions? options = null, ClassSet? classes = null)
    {
        using var reader = Open(path);
        return Read(reader, path, options, classes);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="source"/> names it in messages and is the dataset's name.</summary>
    /// <param name="reader">The text, read to its end.</param>
    /// <param name="source">Names the data.</param>
    /// <param name="options">Header, label or target columns; null for the defaults.</param>
    /// <param name="classes">The training data's classes when reading its test data; null to find them.</param>
    /// <exception cref="InvalidInputException">The text is not valid data.</exception>
    public static Dataset Read(TextReader reader, string source, TableOptions? options = null, ClassSet? classes = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        options ??= TableOptions.Default;
        var table = CsvTable.Open(reader, source, options.Header);
        if (table is null)
        {
            throw new InvalidInputException($"{source}: empty file (no data rows)");
        }

        var layout = TableLayout.Of(table.Names, table.ColumnCount, options, source, $"line {table.FirstLine}");
        var rows = new TableRows(source, layout, line => $"line {line}, {layout.Describe(layout.Label)}", classes);
        table.ReadRows((record, line) => AddRow(record, line, layout, rows, source));
        return rows.ToDataset(table.Names is null ? "empty file (no data rows)" : $"no data rows after the header on line {table.FirstLine}");
    }

    /// <summary>
    /// Reads the CSV file at <paramref name="path"/> as rows of a model's inputs: the columns named
    /// <paramref name="featureNames"/> when the file has a header and the model names its features, else every
    /// column. Returns the values, row-major, and the number of inputs per row.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is missing, a feature is missing or not a number.</exception>
    public static (float[] Values, int Columns) ReadInputs(string path, bool? header, IReadOnlyList<string>? featureNames, int? inputSize)
    {
        using var reader = Open(path);
        var table = CsvTable.Open(reader, path, header) ?? throw new InvalidInputException($"{path}: no rows of inputs");
        var layout = TableLayout.OfInputs(table.Names, table.ColumnCount, featureNames, inputSize, path);
        var rows = new TableRows(path, layout, line => $"line {line}", classes: null);
        table.ReadRows((record, line) => AddRow(record, line, layout, rows, path));
        return (rows.ToInputs(), layout.Features.Length);
    }

    private static StreamReader Open(string path)
    {
        var stream = InputFile.OpenRead(path);
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
    }

    private static void AddRow(CsvRecordReader record, int line, TableLayout layout, TableRows rows, string source)
    {
        foreach (var column in layout.Features)
        {
            rows.AddFeature(ParseValue(record.Field(column), line, column, layout, source));
        }

        foreach (var column in layout.Targets)
        {
            rows.AddTarget(ParseValue(record.Field(column), line, column, layout, source));
        }

        if (layout.Label >= 0)
        {
            rows.Labels!.Add(record.Field(layout.Label), line);
        }

        rows.EndRows();
    }

    // The place is formatted only on failure: a string per field would cost more than the parsing.
    private static float ParseValue(ReadOnlySpan<char> field, int line, int column, TableLayout layout, string source) =>
        CsvFieldParser.ParseValue(field, out var reason) ?? throw new InvalidInputException(source, $"line {line}, {layout.Describe(column)}", reason);
}
