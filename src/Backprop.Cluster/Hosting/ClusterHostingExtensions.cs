using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Backprop.Cluster.Hosting;

/// <summary>The wiring of a node, shared by the server executable, the CLI's local cluster and the tests.</summary>
public static class ClusterHostingExtensions
{
    /// <summary>
    /// Configures remoting and clustering from <paramref name="options"/> and starts this node's actors: the
    /// gradient worker on worker nodes (with a <see cref="CoordinatorWatch"/> unless the node is a coordinator too);
    /// the job manager singleton and its proxy (registered as <see cref="JobManagerProxy"/>) on coordinator nodes.
    /// A node with seed nodes joins them. One without forms the cluster, unless one of <paramref name="formerMembers"/>
    /// (a restarted coordinator's last fellow members) answers first: then it joins their cluster (<see cref="FormOrRejoin"/>).
    /// </summary>
    public static AkkaConfigurationBuilder AddBackpropCluster(
        this AkkaConfigurationBuilder builder, ClusterOptions options, IReadOnlyList<Address>? formerMembers = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return builder
            .AddHocon(ClusterHocon.For(options), HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                if (options.IsWorker)
                {
                    system.ActorOf(GradientWorker.Props(options), ClusterRoles.GradientWorkerName);
                    if (!options.IsCoordinator)
                    {
                        system.ActorOf(CoordinatorWatch.Props(options.CoordinatorLostAfter), CoordinatorWatch.Name);
                    }
                }

                if (options.IsCoordinator)
                {
                    var managerSettings = ClusterSingletonManagerSettings.Create(system).WithRole(ClusterRoles.Coordinator);
                    system.ActorOf(
                        ClusterSingletonManager.Props(JobManager.Props(options), PoisonPill.Instance, managerSettings),
                        ClusterRoles.JobManagerName);
                    var proxySettings = ClusterSingletonProxySettings.Create(system).WithRole(ClusterRoles.Coordinator);
                    registry.Register<JobManagerProxy>(system.ActorOf(
                        ClusterSingletonProxy.Props($"/user/{ClusterRoles.JobManagerName}", proxySettings), $"{ClusterRoles.JobManagerName}-proxy"));
                }

                if (options.SeedNodes.Length == 0)
                {
                    FormOrRejoin(Akka.Cluster.Cluster.Get(system), formerMembers ?? []);
                }
            });
    }

    /// <summary>Adds the node's actor system ("backprop") to a host's services.</summary>
    public static IServiceCollection AddBackpropNode(this IServiceCollection services, ClusterOptions options, IReadOnlyList<Address>? formerMembers = null) =>
        services.AddAkka(ClusterRoles.SystemName, builder => builder.AddBackpropCluster(options, formerMembers));

    /// <summary>
    /// Joins the cluster of <paramref name="formerMembers"/> if one of them is in one, else forms a cluster of this node.
    /// </summary>
    /// <remarks>
    /// Akka's seed-node process with this node first in the list: it asks the others (InitJoin) and joins the first
    /// one that is a member of a cluster; when all answer that they are not, or none answers within the cluster's
    /// <c>seed-node-timeout</c> (5 s), it joins itself. So a coordinator restarted after a crash, whose workers kept
    /// their cluster (the Split Brain Resolver downed the old coordinator), joins them again, and a coordinator whose
    /// former members are gone starts on its own at most 5 s later.
    /// </remarks>
    private static void FormOrRejoin(Akka.Cluster.Cluster cluster, IReadOnlyList<Address> formerMembers)
    {
        var others = formerMembers.Where(address => address != cluster.SelfAddress).Distinct().ToList();
        if (others.Count == 0)
        {
            cluster.Join(cluster.SelfAddress);
            return;
        }

        cluster.JoinSeedNodes([cluster.SelfAddress, .. others]);
    }
}
