namespace Backprop.Cluster.Coordinator;

/// <summary>What <see cref="StallWatch.Check"/> tells the coordinator to do.</summary>
internal enum StallAction
{
    /// <summary>The step moves, or waits for workers rather than on them.</summary>
    None,

    /// <summary>No block arrived for a whole timeout: send θ and every outstanding block again.</summary>
    Replan,

    /// <summary>No block arrived for another timeout after the step was planned again: fail the job.</summary>
    Fail,
}

/// <summary>
/// The safety net under every other fault rule: whether a job's step has stalled, that is, no block arrived for
/// <paramref name="Timeout"/> while a step was under way and a worker was there to compute it. The first stall
/// plans the step again; a second one in a row fails the job. A job without workers is not stalled: it waits,
/// and says so. Immutable, with the time passed in, so it is tested without an actor or a clock.
/// </summary>
/// <param name="Timeout">How long a step may go without a block arriving.</param>
/// <param name="Progress">The count of accepted blocks at <paramref name="Since"/>.</param>
/// <param name="Since">When <paramref name="Progress"/> was last seen to change (or the watch restarted).</param>
/// <param name="Replanned">Whether the step was planned again since the last progress.</param>
internal sealed record StallWatch(TimeSpan Timeout, long Progress, TimeSpan Since, bool Replanned)
{
    /// <summary>A watch that starts counting at <paramref name="now"/>.</summary>
    public static StallWatch Start(TimeSpan timeout, TimeSpan now) => new(timeout, 0, now, Replanned: false);

    /// <summary>
    /// The watch at <paramref name="now"/>, given the job's count of accepted blocks (<paramref name="progress"/>) and
    /// whether a step is under way with a worker to compute it (<paramref name="running"/>), and what to do.
    /// </summary>
    public (StallWatch Watch, StallAction Action) Check(long progress, bool running, TimeSpan now)
    {
        if (progress != Progress || !running)
        {
            return (this with { Progress = progress, Since = now, Replanned = false }, StallAction.None);
        }

        if (now - Since < Timeout)
        {
            return (this, StallAction.None);
        }

        return Replanned ? (this, StallAction.Fail) : (this with { Since = now, Replanned = true }, StallAction.Replan);
    }
}
