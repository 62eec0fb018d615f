using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>One plain line per event, for redirected output: a progress line for each progress event the server sends.</summary>
internal sealed class PlainWatchView(TextWriter output) : IWatchView
{
    /// <inheritdoc />
    public void Line(string text) => output.WriteLine(text);

    /// <inheritdoc />
    public void Progress(JobStatus job, StepProgress progress) => output.WriteLine(WatchLines.Progress(job, progress));
}
