namespace Backprop.MultiHost.Tests.Harness;

/// <summary>A cluster node: its host, and the <c>backprop-server</c> process it runs now (a new one after a restart).</summary>
internal sealed class ClusterNode(string name, NamespaceHost host)
{
    /// <summary>What the test calls the node, e.g. "worker 2".</summary>
    public string Name { get; } = name;

    /// <summary>The namespace the node runs in, and its address.</summary>
    public NamespaceHost Host { get; } = host;

    /// <summary>The node's current process.</summary>
    public HostProcess Process { get; set; } = null!;

    /// <summary>The node's Akka address, as membership logs and watch events print it.</summary>
    public string Address => $"akka.ssl.tcp://backprop@{Host.Address}:{HostCluster.NodePort}";
}
