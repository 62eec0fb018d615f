using System.Net;
using Backprop.Cluster.Security;

namespace Backprop.Cli.Tests.Certs;

public sealed class CertsCommandTests
{
    [Fact]
    public void InitThenNode_NodeCertificateLoadsAndTheClusterCaAcceptsIt()
    {
        using var directory = new TempDirectory();
        var ca = Path.Combine(directory.Path, "ca");

        var init = CliRun.Of("certs", "init", "--out", ca);
        var node = CliRun.Of("certs", "node", "--ca", ca, "--name", "worker-1", "--dns", "worker-1.local", "--ip", "10.0.0.7", "::1");

        Assert.Equal(0, init.ExitCode);
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("worker-1.crt", node.Output);
        using var certificates = ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = Path.Combine(ca, "worker-1.crt"),
            CertificateKey = Path.Combine(ca, "worker-1.key"),
            CaCertificate = Path.Combine(ca, "ca.crt"),
        });
        Assert.True(certificates.Accepts(certificates.Node, out var problem), problem);
        var names = certificates.Node.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["worker-1", "worker-1.local"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7"), IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
    }

    [Fact]
    public void Node_FromAnotherInit_NotAcceptedByTheFirstCluster()
    {
        using var directory = new TempDirectory();
        var first = Path.Combine(directory.Path, "first");
        var second = Path.Combine(directory.Path, "second");
        Assert.Equal(0, CliRun.Of("certs", "init", "--out", first).ExitCode);
        Assert.Equal(0, CliRun.Of("certs", "init", "--out", second).ExitCode);
        Assert.Equal(0, CliRun.Of("certs", "node", "--ca", second, "--name", "rogue", "--out", first).ExitCode);

        using var certificates = ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = Path.Combine(first, "rogue.crt"),
            CertificateKey = Path.Combine(first, "rogue.key"),
            CaCertificate = Path.Combine(first, "ca.crt"),
        });

        Assert.False(certificates.Accepts(certificates.Node, out _));
    }

    [Fact]
    public void Init_DirectoryWithACa_ExitsTwoAndKeepsIt()
    {
        using var directory = new TempDirectory();
        Assert.Equal(0, CliRun.Of("certs", "init", "--out", directory.Path).ExitCode);
        var before = File.ReadAllText(Path.Combine(directory.Path, "ca.crt"));

        CliRun.Of("certs", "init", "--out", directory.Path).AssertBadInput("--out", "already holds a CA");

        Assert.Equal(before, File.ReadAllText(Path.Combine(directory.Path, "ca.crt")));
    }

    [Fact]
    public void Node_NoCaThere_ExitsTwoNamingTheOption()
    {
        using var directory = new TempDirectory();

        CliRun.Of("certs", "node", "--ca", directory.Path, "--name", "w").AssertBadInput("--ca: cannot read the CA in");
    }

    [Fact]
    public void Node_BadIpAddress_ExitsTwoNamingIt()
    {
        using var directory = new TempDirectory();
        Assert.Equal(0, CliRun.Of("certs", "init", "--out", directory.Path).ExitCode);

        CliRun.Of("certs", "node", "--ca", directory.Path, "--name", "w", "--ip", "10.0.0.300").AssertBadInput("--ip: '10.0.0.300' is not an IP address");
    }

    [Fact]
    public void Node_NameThatCannotNameAFile_ExitsTwo()
    {
        using var directory = new TempDirectory();
        Assert.Equal(0, CliRun.Of("certs", "init", "--out", directory.Path).ExitCode);

        CliRun.Of("certs", "node", "--ca", directory.Path, "--name", "a/b").AssertBadInput("--name: 'a/b' cannot name the node's files");
    }

    [Fact]
    public void Init_DaysOutOfRange_ExitsTwo()
    {
        using var directory = new TempDirectory();

        CliRun.Of("certs", "init", "--out", directory.Path, "--days", "0").AssertBadInput("--days: must be 1..36500, got 0");
    }
}
