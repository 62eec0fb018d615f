using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backprop.Server;

/// <summary>Healthy while this node is an Up member of the cluster: before it joined, or once it is leaving, it cannot run jobs.</summary>
internal sealed class ClusterMemberHealthCheck(IServiceProvider services) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = services.GetService<ActorSystem>() is { } system ? Akka.Cluster.Cluster.Get(system).SelfMember.Status : MemberStatus.Removed;
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy("this node is up in the cluster")
            : HealthCheckResult.Unhealthy($"this node is {status.ToString().ToLowerInvariant()} in the cluster, not up"));
    }
}
