namespace Backprop.Cluster.Hosting;

/// <summary>Key of the job manager singleton's proxy in Akka.Hosting's actor registry.</summary>
public sealed class JobManagerProxy;
