using System.Net;
using System.Net.Sockets;
using Backprop.Server.Tests.Trainer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Backprop.Server.Tests;

/// <summary><c>backprop-server --health-check</c> against real nodes, and the endpoint it finds by itself.</summary>
public class HealthProbeTests
{
    private static readonly TimeSpan JoinDeadline = TimeSpan.FromSeconds(30);

    private static Func<string, string?> Environment(string? urls = null, string? httpPorts = null) =>
        name => name switch
        {
            "ASPNETCORE_URLS" => urls,
            "ASPNETCORE_HTTP_PORTS" => httpPorts,
            _ => null,
        };

    [Theory]
    [InlineData("http://+:8080", null, "http://127.0.0.1:8080")]
    [InlineData("http://*:5005;http://+:5006", null, "http://127.0.0.1:5005")]
    [InlineData("http://0.0.0.0:5005", "8080", "http://127.0.0.1:5005")]
    [InlineData("http://[::]:5005", null, "http://127.0.0.1:5005")]
    [InlineData("http://10.0.0.7:5005", null, "http://10.0.0.7:5005")]
    [InlineData(null, "8080", "http://127.0.0.1:8080")]
    [InlineData("", " 8080 ; 8081", "http://127.0.0.1:8080")]
    public void OwnEndpoint_FromTheEnvironment_IsItsFirstEndpointOnLoopback(string? urls, string? httpPorts, string expected) =>
        Assert.Equal(expected, HealthProbe.OwnEndpoint(Environment(urls, httpPorts)));

    [Fact]
    public void OwnEndpoint_NoEndpointConfigured_IsNull() =>
        Assert.Null(HealthProbe.OwnEndpoint(Environment(urls: "", httpPorts: null)));

    [Fact]
    public async Task Run_CoordinatorUp_ExitsServing()
    {
        var dataRoot = Directory.CreateTempSubdirectory("backprop-probe-").FullName;
        try
        {
            await using var server = await TrainerServer.StartAsync(dataRoot);

            var (exitCode, output) = await ProbeUntilServingAsync(server.Address);

            Assert.Equal(HealthProbe.Serving, exitCode);
            Assert.Contains("Serving", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Run_WorkerOnlyNodeWithAnEndpoint_ServesHealthAndExitsServing()
    {
        var builder = BackpropServer.CreateBuilder(
            ["--urls=http://127.0.0.1:0", "--Cluster:Port=0", "--Cluster:Tls:Enabled=false", "--Cluster:Roles:0=worker", "--Cluster:WorkerThreads=1", "--Logging:LogLevel:Default=Warning"]);
        await using var app = BackpropServer.Build(builder, ServerConfiguration.Read(builder.Configuration));
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

            var (exitCode, _) = await ProbeUntilServingAsync(address);

            Assert.Equal(HealthProbe.Serving, exitCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Run_NothingListens_ExitsNotServingWithOneLine()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var error = new StringWriter();

        var exitCode = await HealthProbe.RunAsync([HealthProbe.Flag, url], Environment(), TextWriter.Null, error);

        Assert.Equal(HealthProbe.NotServing, exitCode);
        Assert.StartsWith($"backprop-server: --health-check: {url}: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoUrlAndNoEndpoint_ExitsNotServingNamingTheVariables()
    {
        var error = new StringWriter();

        var exitCode = await HealthProbe.RunAsync([HealthProbe.Flag], Environment(), TextWriter.Null, error);

        Assert.Equal(HealthProbe.NotServing, exitCode);
        Assert.Contains("ASPNETCORE_HTTP_PORTS", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IsRequested_OnlyAsTheFirstArgument()
    {
        Assert.True(HealthProbe.IsRequested(["--health-check", "http://127.0.0.1:1"]));
        Assert.False(HealthProbe.IsRequested(["--Cluster:Port=4054", "--health-check"]));
        Assert.False(HealthProbe.IsRequested([]));
    }

    /// <summary>Probes until the node answers SERVING (it does once it is up in its cluster) or the deadline passes.</summary>
    private static async Task<(int ExitCode, string Output)> ProbeUntilServingAsync(string url)
    {
        var deadline = DateTime.UtcNow + JoinDeadline;
        while (true)
        {
            var output = new StringWriter();
            var exitCode = await HealthProbe.RunAsync([HealthProbe.Flag, url], Environment(), output, TextWriter.Null);
            if (exitCode == HealthProbe.Serving || DateTime.UtcNow > deadline)
            {
                return (exitCode, output.ToString());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
