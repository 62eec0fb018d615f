namespace Backprop.Cluster.Coordinator;

/// <summary>A worker that can take shards, and its measured speed (samples per second, or any relative weight).</summary>
public sealed record WorkerShare(string Worker, double Throughput);
