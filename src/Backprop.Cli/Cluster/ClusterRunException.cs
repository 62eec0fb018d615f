namespace Backprop.Cli.Cluster;

/// <summary>A cluster run failed for a reason outside the user's input (a process, the network, a worker); exit code 1.</summary>
internal sealed class ClusterRunException(string message) : Exception(message);
