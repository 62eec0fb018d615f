namespace Backprop.Core.Data.Tables;

/// <summary>
/// A growing sequence of floats kept in fixed-size chunks, so that loading a large table never copies what it has
/// read so far (as a doubling list would) and the one final array is the only other copy.
/// </summary>
internal sealed class FloatChunks
{
    // 64 Ki floats (256 KiB): large enough that the chunk list stays short, small enough to waste little at the end.
    private const int ChunkLength = 1 << 16;

    private readonly List<float[]> _chunks = [];
    private int _used = ChunkLength;

    /// <summary>Floats added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends <paramref name="value"/>.</summary>
    public void Add(float value)
    {
        if (_used == ChunkLength)
        {
            _chunks.Add(new float[ChunkLength]);
            _used = 0;
        }

        _chunks[^1][_used++] = value;
        Count++;
    }

    /// <summary>Appends <paramref name="values"/>.</summary>
    public void AddRange(ReadOnlySpan<float> values)
    {
        while (!values.IsEmpty)
        {
            if (_used == ChunkLength)
            {
                _chunks.Add(new float[ChunkLength]);
                _used = 0;
            }

            var take = Math.Min(values.Length, ChunkLength - _used);
            values[..take].CopyTo(_chunks[^1].AsSpan(_used));
            _used += take;
            Count += take;
            values = values[take..];
        }
    }

    /// <summary>All floats in one array; the chunks are released as they are copied, and this instance is left empty.</summary>
    /// <exception cref="InvalidInputException">More floats than one array holds; <paramref name="what"/> says what they are.</exception>
    public float[] ToArray(string what)
    {
        if (Count > Array.MaxLength)
        {
            throw new InvalidInputException($"{what}: {Count} values are too many to load into one array (at most {Array.MaxLength})");
        }

        var result = new float[Count];
        var offset = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var length = (int)Math.Min(ChunkLength, Count - offset);
            _chunks[i].AsSpan(0, length).CopyTo(result.AsSpan(offset));
            _chunks[i] = [];
            offset += length;
        }

        _chunks.Clear();
        _used = ChunkLength;
        Count = 0;
        return result;
    }
}
