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
    /// gradient worker on worker nodes; the job manager singleton and its proxy (registered as
    /// <see cref="JobManagerProxy"/>) on coordinator nodes. Without seed nodes the node joins itself.
    /// </summary>
    public static AkkaConfigurationBuilder AddBackpropCluster(this AkkaConfigurationBuilder builder, ClusterOptions options)
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
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                }
            });
    }

    /// <summary>Adds the node's actor system ("backprop") to a host's services.</summary>
    public static IServiceCollection AddBackpropNode(this IServiceCollection services, ClusterOptions options) =>
        services.AddAkka(ClusterRoles.SystemName, builder => builder.AddBackpropCluster(options));
}
