using System.Runtime.InteropServices;

namespace Backprop.Core.Data.Tables;

/// <summary>
/// Collects the label of each row and turns them into classes at the end: labels that are all non-negative integers
/// are the class numbers themselves; labels with any text among them are names, sorted ordinally into classes
/// 0..K−1. With the training data's <see cref="ClassSet"/> given, each label must be one of its classes.
/// </summary>
internal sealed class ClassLabels
{
    private readonly string _source;
    private readonly Func<long, string> _place;
    private readonly ClassSet? _known;
    private readonly Dictionary<string, Distinct> _distinct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Distinct>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<int> _ids = [];

    /// <summary>Labels of <paramref name="source"/>; <paramref name="known"/> fixes the classes (test data), or null.</summary>
    /// <param name="source">Names the table in messages.</param>
    /// <param name="place">Formats the place of a row's label in messages, e.g. <c>line 7, column 5 (species)</c>.</param>
    /// <param name="known">The training data's classes, or null to find them.</param>
    public ClassLabels(string source, Func<long, string> place, ClassSet? known)
    {
        _source = source;
        _place = place;
        _known = known;
        _lookup = _distinct.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var k = 0; known?.Names is { } names && k < names.Count; k++)
        {
            _distinct.Add(names[k], new Distinct(k, 0));
        }
    }

    /// <summary>Adds the label of the next row, <paramref name="row"/> (a line or row number for messages).</summary>
    /// <exception cref="InvalidInputException">A label outside the known classes, or too many classes.</exception>
    public void Add(ReadOnlySpan<char> label, long row)
    {
        label = label.Trim();
        if (label.IsEmpty)
        {
            throw new InvalidInputException($"{_source}: {_place(row)}: missing label");
        }

        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_lookup, label);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
        {
            _ids.Add(entry.Id);
            return;
        }

        var id = _known is null ? _distinct.Count : KnownClass(label, row);
        if (id >= CsvDatasetReader.MaxClassCount)
        {
            throw new InvalidInputException($"{_source}: {_place(row)}: label {CsvFieldParser.Quote(label)} is one too many: at most {CsvDatasetReader.MaxClassCount} classes");
        }

        _lookup.TryAdd(label, new Distinct(id, row));
        _ids.Add(id);
    }

    /// <summary>The class of every row, and the classes.</summary>
    /// <exception cref="InvalidInputException">Numeric labels that are not all class numbers 0, 1, 2, …</exception>
    public (int[] Labels, ClassSet Classes) Finish()
    {
        var labels = _ids.ToArray();
        if (_known is not null)
        {
            return (labels, _known);
        }

        if (_distinct.Keys.All(label => CsvFieldParser.IsNumber(label)))
        {
            return ClassNumbers(labels);
        }

        var names = _distinct.Keys.Order(StringComparer.Ordinal).ToArray();
        var rank = new int[names.Length];
        for (var k = 0; k < names.Length; k++)
        {
            rank[_distinct[names[k]].Id] = k;
        }

        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = rank[labels[i]];
        }

        return (labels, new ClassSet(names.Length, names));
    }

    /// <summary>Labels that are all numbers: each must be a class number, and is its own class.</summary>
    private (int[] Labels, ClassSet Classes) ClassNumbers(int[] labels)
    {
        var classOf = new int[_distinct.Count];
        var count = 0;
        foreach (var (label, distinct) in _distinct)
        {
            var number = CsvFieldParser.ParseLabel(label, out var reason) ?? throw new InvalidInputException(
                $"{_source}: {_place(distinct.Row)}: {reason} (numeric labels are class numbers 0, 1, 2, …; for real-valued targets use --targets)");
            if (number >= CsvDatasetReader.MaxClassCount)
            {
                throw new InvalidInputException($"{_source}: {_place(distinct.Row)}: label {number} is too large (at most {CsvDatasetReader.MaxClassCount} classes)");
            }

            classOf[distinct.Id] = number;
            count = Math.Max(count, number + 1);
        }

        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = classOf[labels[i]];
        }

        return (labels, new ClassSet(count, null));
    }

    private int KnownClass(ReadOnlySpan<char> label, long row)
    {
        var place = _place(row);
        var known = _known!;
        if (known.Names is { } names)
        {
            throw new InvalidInputException($"{_source}: {place}: label {CsvFieldParser.Quote(label)} is not one of the training data's classes ({string.Join(", ", names)})");
        }

        var number = CsvFieldParser.ParseLabel(label, out var reason) ?? throw new InvalidInputException($"{_source}: {place}: {reason}");
        return number < known.Count
            ? number
            : throw new InvalidInputException($"{_source}: {place}: label {number} is outside the classes 0..{known.Count - 1}");
    }

    /// <summary>A distinct label: its provisional id and the row where it first appeared.</summary>
    private readonly record struct Distinct(int Id, long Row);
}
