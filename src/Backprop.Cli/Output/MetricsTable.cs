using System.Globalization;
using Backprop.Core.Metrics;
using Backprop.Core.Model;
using Spectre.Console;

namespace Backprop.Cli.Output;

/// <summary>
/// The final metrics of <c>backprop train</c> as Spectre tables: per-class precision, recall and F1 and the confusion
/// matrix for classes, RMSE, MAE and R² for real-valued targets. Plain box drawing when output is redirected.
/// </summary>
internal static class MetricsTable
{
    /// <summary>Wide enough for the confusion matrix of ten classes without wrapping, whatever the terminal says.</summary>
    private const int MinimumWidth = 120;

    /// <summary>Writes <paramref name="metrics"/>, computed on the <paramref name="evaluatedOn"/> data ("test" or "validation").</summary>
    public static void Write(ModelMetrics metrics, string evaluatedOn, ModelMetadata model, TextWriter output, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, MinimumWidth);
        if (metrics.Classification is { } classification)
        {
            output.WriteLine(Invariant(
                $"metrics on the {evaluatedOn} data ({classification.Samples:N0} samples): accuracy {classification.Accuracy * 100:F2}%, macro F1 {classification.MacroF1:F4}"));
            console.Write(ClassTable(classification, model));
            output.WriteLine("confusion matrix (rows: true class, columns: predicted class)");
            console.Write(ConfusionTable(classification, model));
        }
        else if (metrics.Regression is { } regression)
        {
            output.WriteLine(Invariant($"metrics on the {evaluatedOn} data ({regression.Samples:N0} samples)"));
            var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
            table.AddRow("RMSE", Invariant($"{regression.Rmse:G6}"));
            table.AddRow("MAE", Invariant($"{regression.Mae:G6}"));
            table.AddRow("R²", Invariant($"{regression.R2:F4}"));
            console.Write(table);
        }
    }

    private static Table ClassTable(ClassificationMetrics metrics, ModelMetadata model)
    {
        var table = new Table().AddColumn("class");
        foreach (var header in new[] { "precision", "recall", "F1", "support", "predicted" })
        {
            table.AddColumn(new TableColumn(header).RightAligned());
        }

        foreach (var c in metrics.Classes)
        {
            table.AddRow(
                Markup.Escape(model.ClassName(c.Class)),
                Invariant($"{c.Precision:F4}"),
                Invariant($"{c.Recall:F4}"),
                Invariant($"{c.F1:F4}"),
                Invariant($"{c.Support:N0}"),
                Invariant($"{c.Predicted:N0}"));
        }

        return table;
    }

    private static Table ConfusionTable(ClassificationMetrics metrics, ModelMetadata model)
    {
        var classes = metrics.Classes.Count;
        var table = new Table().AddColumn("true \\ predicted");
        for (var c = 0; c < classes; c++)
        {
            table.AddColumn(new TableColumn(Markup.Escape(model.ClassName(c))).RightAligned());
        }

        for (var t = 0; t < classes; t++)
        {
            table.AddRow([Markup.Escape(model.ClassName(t)), .. metrics.ConfusionMatrix[t].Select(n => Invariant($"{n:N0}"))]);
        }

        return table;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
