using System.Collections.Immutable;
using Backprop.Core.Training;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// Which worker computes which blocks of one step's leaves, and which blocks are done. Immutable: every
/// change returns a new plan, so the decisions are tested without an actor system.
/// </summary>
/// <remarks>
/// The step's leaves are cut into one contiguous range per worker, sized by throughput, and each range into
/// the fewest tree-aligned blocks (<see cref="GradientTree.AlignedBlocks"/>). Whoever computes a block, its
/// sum is the same bits, so moving blocks between workers never changes the result.
/// </remarks>
public sealed class StepPlan
{
    /// <summary>How far a cut may move towards a better-aligned leaf, as a fraction of the smaller neighbouring share (at most one leaf).</summary>
    private const double SnapDistance = 0.25;

    private StepPlan(long step, int leafCount, ImmutableDictionary<LeafRange, string> owners, ImmutableHashSet<LeafRange> done)
    {
        Step = step;
        LeafCount = leafCount;
        Owners = owners;
        Done = done;
    }

    /// <summary>The optimizer step this plan is for.</summary>
    public long Step { get; }

    /// <summary>Leaves (micro-shards) of the step's minibatch.</summary>
    public int LeafCount { get; }

    /// <summary>Every block of the step and the worker now responsible for it.</summary>
    public ImmutableDictionary<LeafRange, string> Owners { get; }

    /// <summary>Blocks whose sums have arrived.</summary>
    public ImmutableHashSet<LeafRange> Done { get; }

    /// <summary>Whether every block's sum has arrived.</summary>
    public bool IsComplete => Done.Count == Owners.Count;

    /// <summary>Workers with at least one outstanding block.</summary>
    public IEnumerable<string> BusyWorkers => Owners.Where(o => !Done.Contains(o.Key)).Select(o => o.Value).Distinct();

    /// <summary>Cuts <paramref name="leafCount"/> leaves over <paramref name="workers"/> in proportion to their throughput.</summary>
    public static StepPlan Create(long step, int leafCount, IReadOnlyList<WorkerShare> workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(leafCount);
        ArgumentNullException.ThrowIfNull(workers);
        if (workers.Count == 0)
        {
            throw new ArgumentException("a step needs at least one worker", nameof(workers));
        }

        var ordered = workers.OrderBy(w => w.Worker, StringComparer.Ordinal).ToList();
        var weights = ordered.Select(w => Weight(w.Throughput)).ToList();
        var total = weights.Sum();
        var shares = weights.Select(w => leafCount * w / total).ToList();
        var owners = ImmutableDictionary.CreateBuilder<LeafRange, string>();
        var first = 0;
        var ideal = 0.0;
        for (var i = 0; i < ordered.Count && first < leafCount; i++)
        {
            ideal += shares[i];
            var end = i == ordered.Count - 1
                ? leafCount
                : Boundary(ideal, SnapDistance * Math.Min(shares[i], shares[i + 1]), first, leafCount);
            foreach (var block in GradientTree.AlignedBlocks(first, end, leafCount))
            {
                owners[block] = ordered[i].Worker;
            }

            first = end;
        }

        return new StepPlan(step, leafCount, owners.ToImmutable(), []);
    }

    /// <summary>The outstanding blocks of <paramref name="worker"/>, in leaf order.</summary>
    public IReadOnlyList<LeafRange> OutstandingOf(string worker) =>
        [.. Owners.Where(o => o.Value == worker && !Done.Contains(o.Key)).Select(o => o.Key).OrderBy(b => b.First)];

    /// <summary>
    /// Records that <paramref name="block"/>'s sum arrived. <c>Accepted</c> is false for a block that is not
    /// part of the plan or already done (a duplicate): the caller drops that result.
    /// </summary>
    public (StepPlan Plan, bool Accepted) Complete(LeafRange block) =>
        Owners.ContainsKey(block) && !Done.Contains(block)
            ? (new StepPlan(Step, LeafCount, Owners, Done.Add(block)), true)
            : (this, false);

    /// <summary>
    /// Moves the outstanding blocks of <paramref name="lost"/> to <paramref name="live"/> workers, each block to
    /// the worker that would finish its load soonest; <c>Moved</c> lists what each receiving worker must now compute.
    /// </summary>
    public (StepPlan Plan, IReadOnlyDictionary<string, List<LeafRange>> Moved) Reassign(string lost, IReadOnlyList<WorkerShare> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var orphans = OutstandingOf(lost);
        var moved = new Dictionary<string, List<LeafRange>>();
        if (orphans.Count == 0)
        {
            return (this, moved);
        }

        var candidates = live.Where(w => w.Worker != lost).OrderBy(w => w.Worker, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"no live worker can take the {orphans.Count} blocks of {lost}");
        }

        var load = candidates.ToDictionary(w => w.Worker, w => OutstandingOf(w.Worker).Sum(b => b.Count));
        var owners = Owners.ToBuilder();
        foreach (var block in orphans)
        {
            var target = candidates.MinBy(w => (load[w.Worker] + block.Count) / Weight(w.Throughput))!.Worker;
            owners[block] = target;
            load[target] += block.Count;
            if (!moved.TryGetValue(target, out var blocks))
            {
                moved[target] = blocks = [];
            }

            blocks.Add(block);
        }

        return (new StepPlan(Step, LeafCount, owners.ToImmutable(), Done), moved);
    }

    /// <summary>
    /// The cut at <paramref name="ideal"/> rounded, or a more tree-aligned one at most <paramref name="reach"/>
    /// leaves away: cutting 8 leaves at 4 rather than 5 gives each side one block, and so one gradient
    /// transfer, instead of two.
    /// </summary>
    private static int Boundary(double ideal, double reach, int first, int leafCount)
    {
        var best = Math.Clamp((int)Math.Round(ideal), first, leafCount);
        reach = Math.Min(reach, 1.0);
        for (var cut = Math.Max(first + 1, (int)Math.Ceiling(ideal - reach)); cut <= Math.Min(leafCount - 1, (int)Math.Floor(ideal + reach)); cut++)
        {
            var better = int.TrailingZeroCount(cut) - (best == 0 ? 0 : int.TrailingZeroCount(best));
            if (better > 0 || (better == 0 && Math.Abs(cut - ideal) < Math.Abs(best - ideal)))
            {
                best = cut;
            }
        }

        return best;
    }

    // A worker not yet measured (or reporting nonsense) counts as one unit of speed.
    private static double Weight(double throughput) => double.IsFinite(throughput) && throughput > 0 ? throughput : 1.0;
}
