using System.Diagnostics.CodeAnalysis;
using Akka.Actor;

namespace Backprop.Cluster.Coordinator;

/// <summary>The workers of one job, by id (actor path): who is ready, and how fast each one is.</summary>
internal sealed class WorkerRoster
{
    private readonly Dictionary<string, JobWorker> _workers = [];

    public IEnumerable<JobWorker> All => _workers.Values;

    /// <summary>Workers that can take blocks (ready and reachable).</summary>
    public int ReadyCount => _workers.Values.Count(w => w.CanTakeBlocks);

    /// <summary>Adds <paramref name="actor"/>; false if it is already on the roster.</summary>
    public bool Add(IActorRef actor) => _workers.TryAdd(actor.Path.ToString(), new JobWorker(actor));

    public bool TryGet(string id, [MaybeNullWhen(false)] out JobWorker worker) => _workers.TryGetValue(id, out worker);

    public JobWorker this[string id] => _workers[id];

    public bool Remove(string id, [MaybeNullWhen(false)] out JobWorker worker) => _workers.Remove(id, out worker);

    public bool IsReady(string id) => _workers.TryGetValue(id, out var worker) && worker.CanTakeBlocks;

    /// <summary>The workers on the node at <paramref name="address"/>.</summary>
    public List<JobWorker> At(Address address) => [.. _workers.Values.Where(w => w.Actor.Path.Address.Equals(address))];

    /// <summary>
    /// Workers that can take blocks, with their weights for a <see cref="StepPlan"/>: measured samples/s, or for one not yet
    /// measured its threads × the mean speed per thread of those measured (its threads alone if none is).
    /// </summary>
    public List<WorkerShare> Shares()
    {
        var ready = _workers.Values.Where(w => w.CanTakeBlocks).ToList();
        var measured = ready.Where(w => w.Throughput > 0).ToList();
        var perThread = measured.Count == 0 ? 1.0 : measured.Sum(w => w.Throughput) / measured.Sum(w => w.Threads);
        return [.. ready.Select(w => new WorkerShare(w.Id, w.Throughput > 0 ? w.Throughput : w.Threads * perThread))];
    }
}
