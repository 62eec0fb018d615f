using System.Diagnostics;
using System.Threading.Channels;
using Backprop.Protocol.V1;

namespace Backprop.Server.Jobs;

/// <summary>
/// One <c>WatchJob</c> call's queue of events. Bounded, dropping the oldest: a watcher that reads slowly
/// misses progress events but never slows the job, and the final event, being the newest, is never dropped.
/// </summary>
internal sealed class JobWatcher
{
    /// <summary>Events one watcher may fall behind by.</summary>
    private const int Capacity = 256;

    /// <summary>How often a watcher that asked for no step interval gets a progress event.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<WatchJobResponse> _events =
        Channel.CreateBounded<WatchJobResponse>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly int _everySteps;
    /// <summary>When the last progress event went out (<see cref="Stopwatch"/> timestamp); null before the first.</summary>
    private long? _lastProgress;

    /// <summary>A watcher wanting progress every <paramref name="everySteps"/> steps; 0: about once a second.</summary>
    public JobWatcher(int everySteps) => _everySteps = everySteps;

    /// <summary>The events to send, ending after the job's final one.</summary>
    public ChannelReader<WatchJobResponse> Events => _events.Reader;

    /// <summary>
    /// Whether the progress of <paramref name="step"/> steps done (of <paramref name="totalSteps"/>) is due at
    /// <paramref name="now"/>, a <see cref="Stopwatch.GetTimestamp"/>.
    /// </summary>
    public bool WantsProgress(long step, long totalSteps, long now)
    {
        if (_everySteps > 0)
        {
            return step % _everySteps == 0 || step == totalSteps;
        }

        if (_lastProgress is { } last && Stopwatch.GetElapsedTime(last, now) < ProgressInterval && step != totalSteps)
        {
            return false;
        }

        _lastProgress = now;
        return true;
    }

    /// <summary>Queues <paramref name="response"/>.</summary>
    public void Send(WatchJobResponse response) => _events.Writer.TryWrite(response);

    /// <summary>Ends the stream after what is queued.</summary>
    public void Complete() => _events.Writer.TryComplete();
}
