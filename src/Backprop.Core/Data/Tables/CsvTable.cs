namespace Backprop.Core.Data.Tables;

/// <summary>
/// A CSV file opened as a table: its header row, if it has one, and its data records, each checked to have as many
/// fields as the first.
/// </summary>
internal sealed class CsvTable
{
    private readonly CsvRecordReader _records;
    private readonly string _source;
    private readonly string[]? _firstData;
    private bool _pending;

    private CsvTable(CsvRecordReader records, string source, string[] first, int firstLine, bool header, bool pending)
    {
        _records = records;
        _source = source;
        FirstLine = firstLine;
        ColumnCount = first.Length;
        Names = header ? [.. first.Select(name => name.Trim())] : null;
        _firstData = header ? null : first;
        _pending = pending;
    }

    /// <summary>Called for each data record with its first line.</summary>
    public delegate void RowAction(CsvRecordReader record, int line);

    /// <summary>The line of the first record (the header, if there is one).</summary>
    public int FirstLine { get; }

    /// <summary>Fields in every record.</summary>
    public int ColumnCount { get; }

    /// <summary>The header row; null when the first record is data.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>Opens CSV text; null when it has no records at all.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">Names it in messages.</param>
    /// <param name="header">Whether the first record is a header; null to detect it.</param>
    public static CsvTable? Open(TextReader reader, string source, bool? header)
    {
        var records = new CsvRecordReader(reader, source);
        if (!records.Read())
        {
            return null;
        }

        var first = records.Fields();
        var firstLine = records.Line;
        var pending = records.Read();
        var isHeader = header ?? TableHeader.Detect(first, pending ? records : null);
        return new CsvTable(records, source, first, firstLine, isHeader, pending);
    }

    /// <summary>Calls <paramref name="row"/> for every data record, the first one included when it is not a header.</summary>
    /// <exception cref="InvalidInputException">A record has another number of fields than the first.</exception>
    public void ReadRows(RowAction row)
    {
        if (_firstData is not null)
        {
            var first = new CsvRecordReader(TextReader.Null, _source);
            first.Load(_firstData, FirstLine);
            row(first, FirstLine);
        }

        while (_pending)
        {
            if (_records.FieldCount != ColumnCount)
            {
                throw new InvalidInputException(_source, $"line {_records.Line}", $"expected {ColumnCount} fields, found {_records.FieldCount}");
            }

            row(_records, _records.Line);
            _pending = _records.Read();
        }
    }
}
