namespace Backprop.Core.Data.Tables;

/// <summary>
/// Splits CSV text into records of fields as RFC 4180 writes them, one record at a time, without a string per field.
/// </summary>
/// <remarks>
/// <para>Fields are separated by commas and records by <c>\n</c>, <c>\r\n</c> or <c>\r</c>. A field that starts with a
/// double quote runs to the next lone quote: it may hold commas and line breaks, and <c>""</c> stands for one quote.
/// A quote inside an unquoted field is kept as written. Records that are blank (only white space, no quotes) are
/// skipped, so empty lines anywhere, the end included, are fine.</para>
/// <para>Errors are <see cref="InvalidInputException"/>s naming the source and the line, e.g.
/// <c>train.csv: line 4: a quoted field is not closed before the end of the file</c>.</para>
/// </remarks>
internal sealed class CsvRecordReader
{
    private const int BufferLength = 1 << 16;

    private readonly TextReader _reader;
    private readonly string _source;
    private readonly char[] _buffer = new char[BufferLength];
    private readonly List<int> _fieldEnds = [];
    private char[] _record = new char[256];
    private int _recordLength;
    private int _position;
    private int _length;
    private int _nextLine = 1;

    /// <summary>Reads records of <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
    public CsvRecordReader(TextReader reader, string source)
    {
        _reader = reader;
        _source = source;
    }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public int Line { get; private set; }

    /// <summary>Fields of the current record.</summary>
    public int FieldCount => _fieldEnds.Count;

    /// <summary>Field <paramref name="index"/> (0-based) of the current record, unquoted; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<char> Field(int index)
    {
        var start = index == 0 ? 0 : _fieldEnds[index - 1];
        return _record.AsSpan(start, _fieldEnds[index] - start);
    }

    /// <summary>The current record's fields as strings (for a header).</summary>
    public string[] Fields()
    {
        var fields = new string[FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Field(i).ToString();
        }

        return fields;
    }

    /// <summary>Makes <paramref name="fields"/>, found on <paramref name="line"/>, the current record (to read a record again).</summary>
    public void Load(IReadOnlyList<string> fields, int line)
    {
        _fieldEnds.Clear();
        _recordLength = 0;
        foreach (var field in fields)
        {
            foreach (var c in field)
            {
                Append(c);
            }

            _fieldEnds.Add(_recordLength);
        }

        Line = line;
    }

    /// <summary>Moves to the next record that is not blank; false at the end of the text.</summary>
    /// <exception cref="InvalidInputException">A quoted field is not closed, or text follows its closing quote.</exception>
    public bool Read()
    {
        while (true)
        {
            if (Peek() < 0)
            {
                return false;
            }

            Line = _nextLine;
            if (ReadRecord())
            {
                return true;
            }
        }
    }

    /// <summary>Reads one record up to and including its line end; false when it was blank.</summary>
    private bool ReadRecord()
    {
        _fieldEnds.Clear();
        _recordLength = 0;
        var quotedAny = false;
        while (true)
        {
            var quoted = Peek() == '"';
            if (quoted)
            {
                quotedAny = true;
                Next();
                ReadQuotedField();
            }

            var end = ReadUntilDelimiter(quoted);
            _fieldEnds.Add(_recordLength);
            if (end != ',')
            {
                break;
            }
        }

        return quotedAny || !_record.AsSpan(0, _recordLength).IsWhiteSpace();
    }

    /// <summary>Appends the rest of a quoted field, after its opening quote, up to its closing quote.</summary>
    private void ReadQuotedField()
    {
        var startLine = _nextLine;
        while (true)
        {
            var c = Next();
            if (c < 0)
            {
                throw new InvalidInputException(_source, $"line {startLine}", "a quoted field is not closed before the end of the file");
            }

            if (c == '"')
            {
                if (Peek() != '"')
                {
                    return;
                }

                Next();
            }
            else if (c == '\n' || (c == '\r' && Peek() != '\n'))
            {
                _nextLine++;
            }

            Append((char)c);
        }
    }

    /// <summary>
    /// Appends characters up to a comma or a line end and consumes it; returns it (',' or '\n'), or -1 at the end of the
    /// text. After a quoted field only white space may come before it.
    /// </summary>
    private int ReadUntilDelimiter(bool afterQuote)
    {
        while (true)
        {
            var c = Next();
            switch (c)
            {
                case < 0:
                    return -1;
                case ',':
                    return ',';
                case '\n':
                    _nextLine++;
                    return '\n';
                case '\r':
                    if (Peek() == '\n')
                    {
                        Next();
                    }

                    _nextLine++;
                    return '\n';
            }

            if (afterQuote && !char.IsWhiteSpace((char)c))
            {
                throw new InvalidInputException(_source, $"line {_nextLine}, column {_fieldEnds.Count + 1}", $"'{(char)c}' after the closing quote of a field (write a quote inside a quoted field as \"\")");
            }

            if (!afterQuote)
            {
                Append((char)c);
            }
        }
    }

    private void Append(char c)
    {
        if (_recordLength == _record.Length)
        {
            Array.Resize(ref _record, _record.Length * 2);
        }

        _record[_recordLength++] = c;
    }

    private int Peek()
    {
        if (_position == _length && !Fill())
        {
            return -1;
        }

        return _buffer[_position];
    }

    private int Next()
    {
        var c = Peek();
        if (c >= 0)
        {
            _position++;
        }

        return c;
    }

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
