using Backprop.Core.Data.Tables;
using Backprop.Protocol.V1;

namespace Backprop.Protocol;

/// <summary>How a table is read (<see cref="TableOptions"/>) between Backprop.Core and the <c>target_columns</c> and <see cref="TableLayout"/> fields, in a pair.</summary>
public static class TableConverter
{
    /// <summary>The proto form of <paramref name="options"/>: the count of trailing target columns (0: none) and the layout.</summary>
    public static (int TargetColumns, TableLayout Table) TableOptionsToProto(TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = new TableLayout { LabelColumn = options.LabelColumn ?? string.Empty };
        if (options.Header is { } header)
        {
            table.Header = header;
        }

        table.TargetNames.Add(options.TargetNames ?? []);
        return (options.TargetCount ?? 0, table);
    }

    /// <summary>The options that <paramref name="targetColumns"/> (0: none) and <paramref name="table"/> (null: the defaults) describe.</summary>
    public static TableOptions TableOptionsFrom(int targetColumns, TableLayout? table) => new()
    {
        Header = table is { HasHeader: true } ? table.Header : null,
        LabelColumn = table is { LabelColumn.Length: > 0 } ? table.LabelColumn : null,
        TargetCount = targetColumns > 0 ? targetColumns : null,
        TargetNames = table is { TargetNames.Count: > 0 } ? [.. table.TargetNames] : null,
    };
}
