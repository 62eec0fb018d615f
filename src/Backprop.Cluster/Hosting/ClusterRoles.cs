namespace Backprop.Cluster.Hosting;

/// <summary>Names every node agrees on.</summary>
public static class ClusterRoles
{
    /// <summary>The actor system name in every address: akka.tcp://backprop@host:port.</summary>
    public const string SystemName = "backprop";

    /// <summary>Nodes that run the job manager and the training coordinators.</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Nodes that compute gradients.</summary>
    public const string Worker = "worker";

    /// <summary>Name of the gradient worker actor under /user on every worker node.</summary>
    public const string GradientWorkerName = "gradient-worker";

    /// <summary>Name of the job manager singleton (and its manager actor) under /user on coordinator nodes.</summary>
    public const string JobManagerName = "job-manager";
}
