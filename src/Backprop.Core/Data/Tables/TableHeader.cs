namespace Backprop.Core.Data.Tables;

/// <summary>Decides whether the first record of a CSV file is a header row.</summary>
internal static class TableHeader
{
    /// <summary>
    /// A header when every field of the first record is text (not a number), or when some column holds text in
    /// the first record and a number in the second: data rows have numeric features, and a string label column
    /// stays text in every row.
    /// </summary>
    public static bool Detect(IReadOnlyList<string> first, CsvRecordReader? second)
    {
        var text = first.Select(field => !CsvFieldParser.IsNumber(field)).ToArray();
        if (text.All(isText => isText))
        {
            return true;
        }

        if (second is null)
        {
            // A lone record: text in the last column may be a string label; text before it is a header.
            return text[..^1].Any(isText => isText);
        }

        for (var column = 0; column < Math.Min(first.Count, second.FieldCount); column++)
        {
            if (text[column] && CsvFieldParser.IsNumber(second.Field(column)))
            {
                return true;
            }
        }

        return false;
    }
}
