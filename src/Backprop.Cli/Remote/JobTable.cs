using System.Globalization;
using Backprop.Protocol.V1;
using Spectre.Console;

namespace Backprop.Cli.Remote;

/// <summary>Jobs as a table: a Spectre table on a terminal, aligned plain columns otherwise.</summary>
internal static class JobTable
{
    private static readonly string[] Headers = ["ID", "NAME", "STATE", "EPOCH", "STEP", "TEST ACC", "REASON"];

    /// <summary>Writes <paramref name="jobs"/> to <paramref name="output"/>.</summary>
    public static void Write(IReadOnlyList<JobStatus> jobs, TextWriter output, bool interactive)
    {
        var rows = jobs.Select(Cells).ToList();
        if (interactive)
        {
            WriteTable(rows, output);
        }
        else
        {
            WritePlain(rows, output);
        }
    }

    /// <summary>The cells of one job, in the order of <see cref="Headers"/>.</summary>
    public static string[] Cells(JobStatus job) =>
    [
        job.JobId,
        job.Name,
        JobStates.Name(job.State),
        string.Create(CultureInfo.InvariantCulture, $"{job.Epoch}/{job.Epochs}"),
        string.Create(CultureInfo.InvariantCulture, $"{job.Step}/{job.TotalSteps}"),
        job.HasTestAccuracy ? string.Create(CultureInfo.InvariantCulture, $"{job.TestAccuracy * 100:F2}%") : "-",
        string.IsNullOrEmpty(job.Reason) ? WatchLines.WaitingSince(job) : job.Reason,
    ];

    private static void WriteTable(List<string[]> rows, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Yes });
        var table = new Table().AddColumns(Headers);
        foreach (var row in rows)
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
    }

    private static void WritePlain(List<string[]> rows, TextWriter output)
    {
        var widths = Headers.Select((header, column) => rows.Select(row => row[column].Length).Prepend(header.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(Headers))
        {
            var padded = row.Select((cell, column) => column == row.Length - 1 ? cell : cell.PadRight(widths[column]));
            output.WriteLine(string.Join("  ", padded).TrimEnd());
        }
    }
}
