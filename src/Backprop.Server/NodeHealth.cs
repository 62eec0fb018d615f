using Grpc.AspNetCore.HealthChecks;

namespace Backprop.Server;

/// <summary>
/// The standard gRPC health service (<c>grpc.health.v1.Health</c>) on every node that serves HTTP, coordinator or
/// worker: its overall status ("") follows the node's cluster membership (<see cref="ClusterMemberHealthCheck"/>), so
/// container and Kubernetes probes (<c>backprop-server --health-check</c>) work the same for either role.
/// </summary>
internal static class NodeHealth
{
    /// <summary>Adds gRPC, the health service and the membership check.</summary>
    public static IServiceCollection AddNodeHealth(this IServiceCollection services)
    {
        services.AddGrpc();
        services.AddGrpcHealthChecks().AddCheck<ClusterMemberHealthCheck>("cluster");
        return services;
    }

    /// <summary>Reports the status of the service <paramref name="serviceName"/> as the node's overall status.</summary>
    public static IServiceCollection AddHealthOfService(this IServiceCollection services, string serviceName) =>
        services.Configure<GrpcHealthChecksOptions>(health => health.Services.Map(serviceName, _ => true));

    /// <summary>Maps the health service.</summary>
    public static WebApplication MapNodeHealth(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        return app;
    }
}
