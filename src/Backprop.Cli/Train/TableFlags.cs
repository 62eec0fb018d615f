using System.CommandLine;
using Backprop.Core.Data.Tables;

namespace Backprop.Cli.Train;

/// <summary>The flags that say how a table file (CSV or Parquet) is read: <c>train</c>, <c>submit</c> and <c>upload</c> share them.</summary>
internal sealed class TableFlags
{
    public Option<string?> Targets { get; } = new("--targets") { Description = "Tables: real-valued targets instead of a class label: a count K (the last K columns) or column names, comma separated" };
    public Option<bool?> Header { get; } = new("--header") { Description = "CSV: whether the first row is a header (default: detected)" };
    public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "Tables: the class label column, by header name or 1-based number (default: the last column)" };

    /// <summary>The flags, in help order.</summary>
    public IEnumerable<Option> All => [Header, LabelColumn, Targets];

    /// <summary>The table options the flags give.</summary>
    public TableOptions Options(ParseResult parsed) =>
        new TableOptions { Header = parsed.GetValue(Header), LabelColumn = parsed.GetValue(LabelColumn) }.WithTargets(parsed.GetValue(Targets));
}
