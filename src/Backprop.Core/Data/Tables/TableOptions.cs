using System.Globalization;

namespace Backprop.Core.Data.Tables;

/// <summary>
/// How to read a table (CSV or Parquet) as samples: whether a CSV file has a header row, which column is the class
/// label, or which columns are real-valued targets instead. Every column that is neither is a feature.
/// </summary>
public sealed record TableOptions
{
    /// <summary>The defaults: a CSV header row detected, the last column a class label.</summary>
    public static readonly TableOptions Default = new();

    /// <summary>CSV: whether the first record is a header row; null detects it (see <see cref="TableHeader"/>).</summary>
    public bool? Header { get; init; }

    /// <summary>The label column: a header name, else a 1-based column number; null for the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The last K columns are real-valued targets (no label); null unless targets are counted.</summary>
    public int? TargetCount { get; init; }

    /// <summary>These named columns are real-valued targets (no label), in this order; null unless targets are named.</summary>
    public IReadOnlyList<string>? TargetNames { get; init; }

    /// <summary>Whether the rows have real-valued targets rather than a class label.</summary>
    public bool HasTargets => TargetCount is not null || TargetNames is not null;

    /// <summary>
    /// The options with the targets of <c>--targets</c>: a count K (the last K columns) or column names separated by
    /// commas; null or empty keeps a class label.
    /// </summary>
    /// <exception cref="InvalidInputException">A count below 1, an empty name, or a label column given too.</exception>
    public TableOptions WithTargets(string? targets)
    {
        if (string.IsNullOrWhiteSpace(targets))
        {
            return this;
        }

        if (LabelColumn is not null)
        {
            throw new InvalidInputException("--targets: real-valued targets leave no class label; do not combine with --label-column");
        }

        if (int.TryParse(targets, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
        {
            return count < 1
                ? throw new InvalidInputException($"--targets: {count} is not a number of target columns (must be at least 1)")
                : this with { TargetCount = count };
        }

        var names = targets.Split(',', StringSplitOptions.TrimEntries);
        return names.Any(name => name.Length == 0)
            ? throw new InvalidInputException($"--targets: '{targets}' has an empty column name (write a count K or names like price,rent)")
            : this with { TargetNames = names };
    }

    /// <summary>The <c>--targets</c> text these options were made from; null for a class label.</summary>
    public string? TargetsText => TargetCount?.ToString(CultureInfo.InvariantCulture) ?? (TargetNames is { } names ? string.Join(',', names) : null);

    /// <summary>A key equal for equal options (for caches of loaded data).</summary>
    public string Key => $"{Header}|{LabelColumn}|{TargetsText}";
}
