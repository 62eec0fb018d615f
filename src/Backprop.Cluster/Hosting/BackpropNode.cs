using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backprop.Cluster.Hosting;

/// <summary>
/// A cluster node running in this process on a minimal host: what the CLI's local cluster and the tests
/// start. The server executable builds the same node inside its web host (<see cref="ClusterHostingExtensions"/>).
/// </summary>
public sealed class BackpropNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BackpropNode(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    /// <summary>The node's actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The address other nodes reach this one at (with the port actually bound).</summary>
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>The job manager's proxy (coordinator nodes only).</summary>
    public IActorRef JobManager => ActorRegistry.For(System).Get<JobManagerProxy>();

    /// <summary>Starts a node with <paramref name="options"/> and waits until its actor system runs.</summary>
    public static async Task<BackpropNode> StartAsync(ClusterOptions options, IReadOnlyList<Address>? formerMembers = null, CancellationToken cancellation = default)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddBackpropNode(options, formerMembers);
        var host = builder.Build();
        await host.StartAsync(cancellation).ConfigureAwait(false);
        return new BackpropNode(host);
    }

    /// <summary>Leaves the cluster (coordinated shutdown) and stops the host.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
