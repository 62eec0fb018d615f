using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Backprop.Server;

/// <summary>
/// The web host's server on a node with no HTTP endpoint configured (<see cref="ServerConfiguration.ListensForHttp"/>):
/// it listens nowhere, so the node is only an Akka.NET cluster member.
/// </summary>
internal sealed class NoHttpServer : IServer
{
    /// <inheritdoc />
    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <inheritdoc />
    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
