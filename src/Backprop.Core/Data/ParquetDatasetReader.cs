using System.Globalization;
using System.Numerics;
using Backprop.Core.Data.Tables;
using Parquet;
using Parquet.Schema;

namespace Backprop.Core.Data;

/// <summary>
/// Reads a Parquet file into a <see cref="Dataset"/>, one row group at a time.
/// </summary>
/// <remarks>
/// <para>The columns are the file's top-level fields by name. Numeric columns (integers, floats, decimals) are
/// features or real-valued targets; the label column (<see cref="TableOptions.LabelColumn"/>, the last by default)
/// may be a string or an integer column, with the same classes as a CSV label column.</para>
/// <para>Only one row group's columns are held besides the samples read so far. Errors name the file, the 1-based
/// row and the column, e.g. <c>train.parquet: row 7, column 2 (width): missing value</c>.</para>
/// </remarks>
public static class ParquetDatasetReader
{
    /// <summary>The first four bytes of a Parquet file.</summary>
    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Whether the file at <paramref name="path"/> starts like a Parquet file.</summary>
    public static bool IsParquet(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> start = stackalloc byte[4];
            return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.SequenceEqual(Magic);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads the Parquet file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; also the dataset's name and the source in messages.</param>
    /// <param name="options">Label or target columns; null for the defaults (the header is the schema).</param>
    /// <param name="classes">The training data's classes when reading its test data; null to find them.</param>
    /// <exception cref="InvalidInputException">The file is missing, not Parquet, or not valid data.</exception>
    public static Dataset Read(string path, TableOptions? options = null, ClassSet? classes = null)
    {
        options ??= TableOptions.Default;
        return Run(path, async reader =>
        {
            var fields = DataFields(reader, path);
            var layout = TableLayout.Of([.. fields.Select(field => field.Name)], fields.Length, options, path, "schema");
            var rows = new TableRows(path, layout, row => $"row {row}, {layout.Describe(layout.Label)}", classes);
            await ReadRowsAsync(reader, fields, layout, rows, path).ConfigureAwait(false);
            return rows.ToDataset("no rows");
        });
    }

    /// <summary>Reads the Parquet file at <paramref name="path"/> as rows of a model's inputs (see <see cref="CsvDatasetReader.ReadInputs"/>).</summary>
    /// <exception cref="InvalidInputException">The file is missing, not Parquet, or a feature column is missing or not numeric.</exception>
    public static (float[] Values, int Columns) ReadInputs(string path, IReadOnlyList<string>? featureNames, int? inputSize) =>
        Run(path, async reader =>
        {
            var fields = DataFields(reader, path);
            var layout = TableLayout.OfInputs([.. fields.Select(field => field.Name)], fields.Length, featureNames, inputSize, path);
            var rows = new TableRows(path, layout, row => $"row {row}", classes: null);
            await ReadRowsAsync(reader, fields, layout, rows, path).ConfigureAwait(false);
            return (rows.ToInputs(), layout.Features.Length);
        });

    // Parquet.Net reads asynchronously only; the callers (the CLI, a worker loading data, the server on a pool
    // thread) have no synchronization context to deadlock on.
    private static T Run<T>(string path, Func<ParquetReader, Task<T>> read) => RunAsync(path, read).GetAwaiter().GetResult();

    private static async Task<T> RunAsync<T>(string path, Func<ParquetReader, Task<T>> read)
    {
        using var stream = InputFile.OpenRead(path);
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidInputException($"{path}: not a readable Parquet file ({error.Message.ReplaceLineEndings(" ")})");
        }

        await using (reader.ConfigureAwait(false))
        {
            return await read(reader).ConfigureAwait(false);
        }
    }

    private static DataField[] DataFields(ParquetReader reader, string path)
    {
        foreach (var field in reader.Schema.Fields)
        {
            if (field is not DataField data || data.IsArray)
            {
                throw new InvalidInputException($"{path}: column '{field.Name}' is nested or repeated; only flat columns of numbers or strings can be read");
            }
        }

        return reader.Schema.GetDataFields();
    }

    private static async Task ReadRowsAsync(ParquetReader reader, DataField[] fields, TableLayout layout, TableRows rows, string path)
    {
        long firstRow = 1;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var features = new float[count * layout.Features.Length];
            for (var f = 0; f < layout.Features.Length; f++)
            {
                var column = await ReadNumbersAsync(group, fields[layout.Features[f]], count, layout.Features[f], layout, firstRow, path).ConfigureAwait(false);
                for (var r = 0; r < count; r++)
                {
                    features[(r * layout.Features.Length) + f] = column[r];
                }
            }

            var targets = new float[count * layout.Targets.Length];
            for (var t = 0; t < layout.Targets.Length; t++)
            {
                var column = await ReadNumbersAsync(group, fields[layout.Targets[t]], count, layout.Targets[t], layout, firstRow, path).ConfigureAwait(false);
                for (var r = 0; r < count; r++)
                {
                    targets[(r * layout.Targets.Length) + t] = column[r];
                }
            }

            if (layout.Label >= 0)
            {
                var labels = await ReadLabelsAsync(group, fields[layout.Label], count, layout, firstRow, path).ConfigureAwait(false);
                for (var r = 0; r < count; r++)
                {
                    rows.Labels!.Add(labels[r], firstRow + r);
                }
            }

            rows.AddFeatures(features);
            rows.AddTargets(targets);
            rows.EndRows(count);
            firstRow += count;
        }
    }

    private static Task<float[]> ReadNumbersAsync(ParquetRowGroupReader group, DataField field, int count, int column, TableLayout layout, long firstRow, string path)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return type switch
        {
            _ when type == typeof(float) => ReadAsync<float>(),
            _ when type == typeof(double) => ReadAsync<double>(),
            _ when type == typeof(decimal) => ReadAsync<decimal>(),
            _ when type == typeof(sbyte) => ReadAsync<sbyte>(),
            _ when type == typeof(byte) => ReadAsync<byte>(),
            _ when type == typeof(short) => ReadAsync<short>(),
            _ when type == typeof(ushort) => ReadAsync<ushort>(),
            _ when type == typeof(int) => ReadAsync<int>(),
            _ when type == typeof(uint) => ReadAsync<uint>(),
            _ when type == typeof(long) => ReadAsync<long>(),
            _ when type == typeof(ulong) => ReadAsync<ulong>(),
            _ => throw new InvalidInputException(
                $"{path}: {layout.Describe(column)} holds {(IsText(type) ? "text" : type.Name)} values; only numeric columns can be features or targets (a string column can be the label: --label-column)"),
        };

        async Task<float[]> ReadAsync<T>()
            where T : struct, INumberBase<T>
        {
            var values = new T?[count];
            await group.ReadAsync<T>(field, values.AsMemory()).ConfigureAwait(false);
            var result = new float[count];
            for (var r = 0; r < count; r++)
            {
                var value = values[r] ?? throw new InvalidInputException(path, $"row {firstRow + r}, {layout.Describe(column)}", "missing value");
                result[r] = float.CreateSaturating(value);
                if (!float.IsFinite(result[r]))
                {
                    throw new InvalidInputException(path, $"row {firstRow + r}, {layout.Describe(column)}", $"{value} is not a finite number");
                }
            }

            return result;
        }
    }

    private static async Task<string?[]> ReadLabelsAsync(ParquetRowGroupReader group, DataField field, int count, TableLayout layout, long firstRow, string path)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (IsText(type))
        {
            var labels = new string?[count];
            await group.ReadAsync(field, labels.AsMemory()).ConfigureAwait(false);
            return labels;
        }

        var numbers = await ReadNumbersAsync(group, field, count, layout.Label, layout, firstRow, path).ConfigureAwait(false);
        return [.. numbers.Select(number => number.ToString("R", CultureInfo.InvariantCulture))];
    }

    // Parquet.Net 6 gives string columns the type ReadOnlyMemory<char>, and reads them as strings too.
    private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);
}
