using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>Shows the events of a watched job: a live bar on a terminal, plain lines in a log.</summary>
internal interface IWatchView
{
    /// <summary>A line that stays (the current state, an epoch, a worker, a state change).</summary>
    void Line(string text);

    /// <summary>Progress within an epoch.</summary>
    void Progress(JobStatus job, StepProgress progress);
}
