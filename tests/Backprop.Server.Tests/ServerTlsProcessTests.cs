using System.Net;
using Backprop.Cluster.Security;

namespace Backprop.Server.Tests;

/// <summary>backprop-server processes with mutual TLS, configured only by environment variables, as users run them.</summary>
public sealed class ServerTlsProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a refused node keeps trying before the test checks it never became a member.</summary>
    private static readonly TimeSpan RefusedWait = TimeSpan.FromSeconds(8);

    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-tls-").FullName;

    [Fact]
    public async Task Worker_CertificateOfTheClusterCa_JoinsAndTheStrangersWorkerNeverDoes()
    {
        using var authority = ClusterCertificateAuthority.Create("cluster CA", TimeSpan.FromDays(1));
        using var stranger = ClusterCertificateAuthority.Create("stranger CA", TimeSpan.FromDays(1));
        authority.Save(_directory);
        var port = ServerProcess.FreePort();

        using var coordinator = ServerProcess.Start(Node(authority, "coordinator", port));
        var started = await coordinator.WaitForLineAsync("Node started", StartTimeout);
        using var worker = ServerProcess.Start(Worker(Node(authority, "worker", 0), port));
        using var rogue = ServerProcess.Start(Worker(Node(stranger, "rogue", 0), port));

        Assert.Contains($"address akka.ssl.tcp://backprop@127.0.0.1:{port},", started);
        var workerStarted = await worker.WaitForLineAsync("Node started", StartTimeout);
        var workerAddress = workerStarted.Split("address ")[1].Split(',')[0];
        await coordinator.WaitForLineAsync($"Member up: {workerAddress} [worker]", StartTimeout);
        var rogueStarted = await rogue.WaitForLineAsync("Node started", StartTimeout);
        var rogueAddress = rogueStarted.Split("address ")[1].Split(',')[0];
        await coordinator.WaitForLineAsync("TLS: refused", StartTimeout);
        await Task.Delay(RefusedWait);
        Assert.DoesNotContain($"Member up: {rogueAddress}", coordinator.Output);
        Assert.DoesNotContain($"Member joined: {rogueAddress}", coordinator.Output);
        Assert.Contains("issuer 'CN=stranger CA", coordinator.Output);
        Assert.DoesNotContain("fabric is plaintext", coordinator.Output);
    }

    [Fact]
    public async Task Server_PlaintextChosen_LogsOneWarningAtStart()
    {
        using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Cluster__Port"] = "0",
            ["Cluster__Tls__Enabled"] = "false",
            ["Trainer__DataRoot"] = Path.Combine(_directory, "data"),
        });

        await server.WaitForLineAsync("Node started", StartTimeout);
        var warning = await server.WaitForLineAsync("fabric is plaintext", StartTimeout);

        Assert.Contains("any host that reaches this node's ports can join the cluster", warning);
    }

    [Fact]
    public async Task Server_TlsWithoutCertificate_ExitsTwoWithOneLine()
    {
        using var server = ServerProcess.Start(new Dictionary<string, string> { ["Cluster__Port"] = "0", ["Cluster__Tls__Enabled"] = "true" });

        Assert.Equal(BackpropServer.BadConfiguration, await server.WaitForExitAsync(StartTimeout));
        var line = Assert.Single(server.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("backprop-server: Cluster:Tls:Certificate: is required with TLS on", line);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The environment of a TLS node on <paramref name="port"/> with a certificate of <paramref name="authority"/>.</summary>
    private Dictionary<string, string> Node(ClusterCertificateAuthority authority, string name, int port)
    {
        using var certificate = authority.Issue(name, [], [IPAddress.Loopback], TimeSpan.FromDays(1));
        ClusterCertificateAuthority.WritePem(certificate, _directory, $"{name}.crt", $"{name}.key");
        return new Dictionary<string, string>
        {
            ["Cluster__Port"] = $"{port}",
            ["Cluster__Tls__Enabled"] = "true",
            ["Cluster__Tls__Certificate"] = Path.Combine(_directory, $"{name}.crt"),
            ["Cluster__Tls__CertificateKey"] = Path.Combine(_directory, $"{name}.key"),
            // Every node trusts the cluster's CA, the rogue included: it just holds no certificate of it.
            ["Cluster__Tls__CaCertificate"] = Path.Combine(_directory, ClusterCertificateAuthority.CertificateFile),
            ["Trainer__DataRoot"] = Path.Combine(_directory, $"data-{name}"),
        };
    }

    /// <summary>A worker joining the seed on <paramref name="seedPort"/>, written as akka.tcp:// as a plaintext setup has it.</summary>
    private static Dictionary<string, string> Worker(Dictionary<string, string> node, int seedPort)
    {
        node["Cluster__Roles__0"] = "worker";
        node["Cluster__SeedNodes__0"] = $"akka.tcp://backprop@127.0.0.1:{seedPort}";
        return node;
    }
}
