using System.Globalization;

namespace Backprop.Core.Data;

/// <summary>
/// Parses one CSV field as a number (invariant culture: '.' decimal point, optional sign and exponent,
/// surrounding spaces allowed). Failures come back as the reason for an error message.
/// </summary>
internal static class CsvFieldParser
{
    private const NumberStyles Style = NumberStyles.Float;

    // Long fields are cut in messages so an error stays one readable line.
    private const int MaxQuotedLength = 40;

    /// <summary>Whether the field reads as a number at all (finite or not): the header test.</summary>
    public static bool IsNumber(ReadOnlySpan<char> field) =>
        double.TryParse(field, Style, CultureInfo.InvariantCulture, out _);

    /// <summary>A finite float32 value, or null with <paramref name="reason"/> set.</summary>
    public static float? ParseValue(ReadOnlySpan<char> field, out string reason)
    {
        if (field.IsWhiteSpace())
        {
            reason = "missing value";
            return null;
        }

        if (!float.TryParse(field, Style, CultureInfo.InvariantCulture, out var value))
        {
            reason = $"{Quote(field)} is not a number";
            return null;
        }

        if (!float.IsFinite(value))
        {
            reason = $"{Quote(field)} is not a finite number";
            return null;
        }

        reason = string.Empty;
        return value;
    }

    /// <summary>
    /// A class label: a non-negative integer, written as <c>3</c> or <c>3.0</c>, or null with
    /// <paramref name="reason"/> set.
    /// </summary>
    public static int? ParseLabel(ReadOnlySpan<char> field, out string reason)
    {
        if (!double.TryParse(field, Style, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value < 0 || value > int.MaxValue || value != Math.Floor(value))
        {
            reason = $"label {Quote(field)} is not a non-negative integer";
            return null;
        }

        reason = string.Empty;
        return (int)value;
    }

    /// <summary>The field in single quotes, shortened when long.</summary>
    public static string Quote(ReadOnlySpan<char> field) =>
        field.Length <= MaxQuotedLength ? $"'{field}'" : $"'{field[..MaxQuotedLength]}...'";
}
