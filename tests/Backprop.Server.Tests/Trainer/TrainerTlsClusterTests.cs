using System.Net;
using Backprop.Cluster.Security;
using Backprop.Protocol.V1;

namespace Backprop.Server.Tests.Trainer;

/// <summary>Two nodes with mutual TLS on remoting and tensor links train a job that reduces among its workers.</summary>
public sealed class TrainerTlsClusterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-tls-cluster-").FullName;

    [Fact]
    public async Task Job_TwoTlsNodesReducingAmongThemselves_Succeeds()
    {
        using var authority = ClusterCertificateAuthority.Create("cluster CA", TimeSpan.FromDays(1));
        authority.Save(_directory);
        await using var first = await TrainerServer.StartAsync(Root("first"), [.. Tls(authority, "first"), "Cluster:MinWorkers=2", "Cluster:CollectiveMinBytes=0"]);
        await using var second = await TrainerServer.StartAsync(Root("second"), [.. Tls(authority, "second"), $"Cluster:SeedNodes:0={first.ClusterAddress}"]);

        var job = await first.Client().SubmitJobAsync(TestJobs.Request(TestJobs.Spirals, epochs: 2, batchSize: 64));
        var events = await first.Client().WatchToEndAsync(job.JobId);

        Assert.StartsWith("akka.ssl.tcp://", first.ClusterAddress);
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        Assert.Contains(events, e => e.Job.ActiveWorkers == 2);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Root(string name) => Directory.CreateDirectory(Path.Combine(_directory, $"data-{name}")).FullName;

    private string[] Tls(ClusterCertificateAuthority authority, string name)
    {
        using var certificate = authority.Issue(name, [], [IPAddress.Loopback], TimeSpan.FromDays(1));
        ClusterCertificateAuthority.WritePem(certificate, _directory, $"{name}.crt", $"{name}.key");
        return
        [
            "Cluster:Tls:Enabled=true",
            $"Cluster:Tls:Certificate={Path.Combine(_directory, name + ".crt")}",
            $"Cluster:Tls:CertificateKey={Path.Combine(_directory, name + ".key")}",
            $"Cluster:Tls:CaCertificate={Path.Combine(_directory, ClusterCertificateAuthority.CertificateFile)}",
        ];
    }
}
