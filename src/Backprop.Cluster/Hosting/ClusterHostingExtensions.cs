using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Security;
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
    /// The node joins its seed nodes (<see cref="ClusterSeeds.ToJoin"/>). One that would form the cluster (no seeds, or
    /// itself the first) asks <paramref name="formerMembers"/> first, a restarted coordinator's last fellow members:
    /// Akka's first-seed process joins the first of them that is in a cluster, and forms a new one when all answer
    /// that they are not or none answers within <c>seed-node-timeout</c> (5 s). So a coordinator restarted after a
    /// crash, whose workers kept the cluster (the Split Brain Resolver downed the old coordinator), joins them again.
    /// </summary>
    public static AkkaConfigurationBuilder AddBackpropCluster(
        this AkkaConfigurationBuilder builder, ClusterOptions options, IReadOnlyList<Address>? formerMembers = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Tls.Enabled)
        {
            builder.AddSetup(RemotingTls.Setup(ClusterCertificates.Load(options.Tls)));
            builder.AddSetup(RemotingTls.LogFilter());
        }

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

                var cluster = Akka.Cluster.Cluster.Get(system);
                var seeds = ClusterSeeds.ToJoin(
                    cluster.SelfAddress, [.. options.SeedNodes.Select(Address.Parse)], formerMembers ?? []);
                if (seeds.Count == 0)
                {
                    cluster.Join(cluster.SelfAddress);
                }
                else
                {
                    cluster.JoinSeedNodes(seeds);
                }
            });
    }

    /// <summary>Adds the node's actor system ("backprop") to a host's services.</summary>
    public static IServiceCollection AddBackpropNode(this IServiceCollection services, ClusterOptions options, IReadOnlyList<Address>? formerMembers = null) =>
        services.AddAkka(ClusterRoles.SystemName, builder => builder.AddBackpropCluster(options, formerMembers));
}
