using Backprop.Protocol.V1;
using Spectre.Console;

namespace Backprop.Cli.Remote;

/// <summary>A terminal's view of a watch: one progress bar (steps done of the job's total) under the lines of the events.</summary>
internal sealed class LiveWatchView(IAnsiConsole console, ProgressTask bar) : IWatchView
{
    /// <summary>Runs <paramref name="follow"/> with a live view drawn on <paramref name="output"/>.</summary>
    public static Task<T> ShowAsync<T>(TextWriter output, Func<IWatchView, Task<T>> follow)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(context => follow(new LiveWatchView(console, context.AddTask("waiting for the job", autoStart: true, maxValue: 1))));
    }

    /// <inheritdoc />
    public void Line(string text) => console.WriteLine(text);

    /// <inheritdoc />
    public void Progress(JobStatus job, StepProgress progress)
    {
        bar.MaxValue = Math.Max(1, job.TotalSteps);
        bar.Value = Math.Min(progress.Step, bar.MaxValue);
        bar.Description = Markup.Escape($"step {progress.Step}/{job.TotalSteps}  {WatchLines.ProgressFigures(progress)}");
    }
}
