using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backprop.Cli.Tests.Remote;

/// <summary>
/// A real Kestrel gRPC server on a free loopback port, hosting a <see cref="FakeTrainer"/>: HTTP/2 without TLS, or over
/// TLS with <paramref name="certificate"/>.
/// </summary>
internal sealed class FakeTrainerServer : IDisposable
{
    private readonly WebApplication _app;

    public FakeTrainerServer(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(Trainer);
        _app = builder.Build();
        _app.MapGrpcService<FakeTrainer>();
        _app.StartAsync().GetAwaiter().GetResult();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public FakeTrainer Trainer { get; } = new();

    /// <summary>The server's address, for --server.</summary>
    public string Url { get; }

    /// <summary>Runs the CLI against this server (non-interactive).</summary>
    public CliRun Run(params string[] args) => CliRun.Of([.. args, "--server", Url]);

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }
}
