using System.Text;

namespace Backprop.Core.Data;

/// <summary>
/// Reads a CSV file of numbers into a <see cref="Dataset"/>, streaming it line by line.
/// </summary>
/// <remarks>
/// <para>Fields are comma-separated numbers in the invariant culture; blank lines are skipped and both
/// <c>\n</c> and <c>\r\n</c> line ends are accepted. The first non-blank line is a header, and skipped,
/// when any of its fields is not a number. Every row must have as many fields as the first.</para>
/// <para>By default the last column is a class label 0..K−1, turned into a one-hot target of K columns;
/// K is the largest label + 1 unless the caller fixes it (test data must use the training data's K).
/// With <c>targetColumns</c> = T the last T columns are real-valued targets and there are no labels.</para>
/// <para>Errors are <see cref="InvalidInputException"/>s naming the file, the 1-based line and column,
/// e.g. <c>train.csv: line 3, column 2: 'abc' is not a number</c>.</para>
/// </remarks>
public static class CsvDatasetReader
{
    /// <summary>Largest number of classes a label column may imply; a larger label is almost surely not a class.</summary>
    public const int MaxClassCount = 65_536;

    /// <summary>Reads the CSV file at <paramref name="path"/> (UTF-8, a byte-order mark is allowed).</summary>
    /// <param name="path">The file; also the dataset's name and the source in messages.</param>
    /// <param name="targetColumns">Number of trailing real-valued target columns; null for a trailing class label.</param>
    /// <param name="classCount">The training data's number of classes K when reading test data; null to use the largest label + 1.</param>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not valid data.</exception>
    public static Dataset Read(string path, int? targetColumns = null, int? classCount = null)
    {
        using var stream = InputFile.OpenRead(path);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, targetColumns, classCount);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="source"/> names it in messages and is the dataset's name.</summary>
    /// <param name="reader">The text, read to its end.</param>
    /// <param name="source">Names the data.</param>
    /// <param name="targetColumns">Number of trailing real-valued target columns; null for a trailing class label.</param>
    /// <param name="classCount">The training data's number of classes K when reading test data; null to use the largest label + 1.</param>
    /// <exception cref="InvalidInputException">The text is not valid data.</exception>
    public static Dataset Read(TextReader reader, string source, int? targetColumns = null, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        if (targetColumns is { } columns)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns, nameof(targetColumns));
            if (classCount is not null)
            {
                throw new ArgumentException("a class count applies only to a label column, not to target columns", nameof(classCount));
            }
        }

        if (classCount is { } classes)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes, nameof(classCount));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, MaxClassCount, nameof(classCount));
        }

        var features = new List<float>();
        var targets = new List<float>();
        var labels = new List<int>();
        var targetWidth = targetColumns ?? 1;
        var fieldCount = 0;
        var headerLine = 0;
        var lineNumber = 0;
        var rows = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.AsSpan().Count(',') + 1;
            if (fieldCount == 0)
            {
                fieldCount = fields;
                RequireInputColumns(source, lineNumber, fields, targetColumns);
                if (IsHeader(line))
                {
                    headerLine = lineNumber;
                    continue;
                }
            }
            else if (fields != fieldCount)
            {
                throw new InvalidInputException(source, $"line {lineNumber}", $"expected {fieldCount} fields, found {fields}");
            }

            var rest = line.AsSpan();
            for (var column = 1; column <= fields; column++)
            {
                var comma = rest.IndexOf(',');
                var field = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                if (column <= fields - targetWidth)
                {
                    features.Add(ParseValue(source, lineNumber, column, field));
                }
                else if (targetColumns is not null)
                {
                    targets.Add(ParseValue(source, lineNumber, column, field));
                }
                else
                {
                    labels.Add(ParseLabel(source, lineNumber, column, field, classCount));
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            var reason = headerLine > 0 ? $"no data rows after the header on line {headerLine}" : "empty file (no data rows)";
            throw new InvalidInputException($"{source}: {reason}");
        }

        var inputSize = fieldCount - targetWidth;
        if (targetColumns is not null)
        {
            return new Dataset(source, inputSize, targetWidth, [.. features], [.. targets]);
        }

        var classTotal = classCount ?? (labels.Max() + 1);
        if ((long)rows * classTotal > Array.MaxLength)
        {
            throw new InvalidInputException($"{source}: {rows} rows × {classTotal} classes of one-hot targets are too many to load");
        }

        var labelArray = labels.ToArray();
        return new Dataset(source, inputSize, classTotal, [.. features], OneHotEncoder.Encode(labelArray, classTotal), labelArray);
    }

    private static void RequireInputColumns(string source, int lineNumber, int fields, int? targetColumns)
    {
        if (targetColumns is { } columns && columns >= fields)
        {
            throw new InvalidInputException(source, $"line {lineNumber}", $"{columns} target columns leave no input column in a row of {fields} fields");
        }

        if (targetColumns is null && fields < 2)
        {
            throw new InvalidInputException(source, $"line {lineNumber}", "1 field leaves no input column before the label");
        }
    }

    private static bool IsHeader(string line)
    {
        foreach (var range in line.AsSpan().Split(','))
        {
            if (!CsvFieldParser.IsNumber(line.AsSpan()[range]))
            {
                return true;
            }
        }

        return false;
    }

    private static float ParseValue(string source, int line, int column, ReadOnlySpan<char> field) =>
        CsvFieldParser.ParseValue(field, out var reason) ?? throw FieldError(source, line, column, reason);

    private static int ParseLabel(string source, int line, int column, ReadOnlySpan<char> field, int? classCount)
    {
        var label = CsvFieldParser.ParseLabel(field, out var reason) ?? throw FieldError(source, line, column, reason);
        if (classCount is { } classes && label >= classes)
        {
            throw FieldError(source, line, column, $"label {label} is outside the classes 0..{classes - 1}");
        }

        if (label >= MaxClassCount)
        {
            throw FieldError(source, line, column, $"label {label} is too large (at most {MaxClassCount} classes)");
        }

        return label;
    }

    // The place is formatted only on failure: a string per field would cost more than the parsing.
    private static InvalidInputException FieldError(string source, int line, int column, string reason) =>
        new(source, $"line {line}, column {column}", reason);
}
