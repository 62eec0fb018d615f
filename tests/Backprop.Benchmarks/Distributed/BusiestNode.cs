namespace Backprop.Benchmarks.Distributed;

/// <summary>
/// The traffic of the busiest node of a cluster run, max(bytes received, bytes sent), from the worker processes'
/// sockets alone: a worker's own is the sum over its sockets; the coordinator's is the mirror of every worker socket
/// whose peer is not another worker's socket (the coordinator's process is the CLI's, whose sockets are not sampled).
/// </summary>
/// <remarks>
/// Issue 13's scaling target is stated in it: at most 2.5 × 4·P per step through any node, at any number of workers.
/// With every tensor through the coordinator it is about W × 4·P, at the coordinator.
/// </remarks>
public static class BusiestNode
{
    /// <summary>The busiest node's bytes over the run, and which node it is ("coordinator" or "worker pid N").</summary>
    public static (long Bytes, string Node) Of(IReadOnlyList<TcpSocketSample> workerSockets)
    {
        ArgumentNullException.ThrowIfNull(workerSockets);
        var workerEndpoints = workerSockets.Select(socket => socket.Local).ToHashSet(StringComparer.Ordinal);
        var toCoordinator = workerSockets.Where(socket => !workerEndpoints.Contains(socket.Peer)).ToList();
        var busiest = (Bytes: Math.Max(toCoordinator.Sum(s => s.BytesSent), toCoordinator.Sum(s => s.BytesReceived)), Node: "coordinator");
        foreach (var worker in workerSockets.GroupBy(socket => socket.Pid))
        {
            var bytes = Math.Max(worker.Sum(s => s.BytesSent), worker.Sum(s => s.BytesReceived));
            if (bytes > busiest.Bytes)
            {
                busiest = (bytes, $"worker pid {worker.Key}");
            }
        }

        return busiest;
    }
}
