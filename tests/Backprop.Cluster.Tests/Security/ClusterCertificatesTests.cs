using System.Net;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;

namespace Backprop.Cluster.Tests.Security;

public sealed class ClusterCertificatesTests : IClassFixture<TestCertificates>, IDisposable
{
    private readonly TestCertificates _certificates;
    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-certs-").FullName;

    public ClusterCertificatesTests(TestCertificates certificates) => _certificates = certificates;

    [Fact]
    public void Accepts_ACertificateOfTheClusterCa_True()
    {
        using var node = _certificates.ForNode("node-a");
        using var peer = _certificates.Node("node-b");

        Assert.True(node.Accepts(peer, out var problem), problem);
    }

    [Fact]
    public void Accepts_AnotherCasCertificate_FalseNamingItsIssuer()
    {
        using var node = _certificates.ForNode("node-a");
        using var rogue = _certificates.Node("rogue", fromStranger: true);

        Assert.False(node.Accepts(rogue, out var problem));
        Assert.Contains("issuer 'CN=another CA", problem);
        Assert.Contains("does not chain to the cluster CA", problem);
    }

    [Fact]
    public void Accepts_ASelfSignedCertificateWithTheCasName_False()
    {
        using var node = _certificates.ForNode("node-a");
        using var impostor = ClusterCertificateAuthority.Create("test cluster CA", TimeSpan.FromDays(1));

        Assert.False(node.Accepts(impostor.Certificate, out _));
    }

    [Fact]
    public void Accepts_NoCertificate_False()
    {
        using var node = _certificates.ForNode("node-a");

        Assert.False(node.Accepts(null, out var problem));
        Assert.Equal("the peer sent no certificate", problem);
    }

    [Fact]
    public void Load_PemFilesAsCertsCommandWritesThem_NodeWithKeyAndTheCa()
    {
        _certificates.Authority.Save(_directory);
        using var issued = _certificates.Authority.Issue("worker-1", ["worker-1.local"], [IPAddress.Parse("10.0.0.7")], TimeSpan.FromDays(1));
        ClusterCertificateAuthority.WritePem(issued, _directory, "worker-1.crt", "worker-1.key");

        using var loaded = ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = Path.Combine(_directory, "worker-1.crt"),
            CertificateKey = Path.Combine(_directory, "worker-1.key"),
            CaCertificate = Path.Combine(_directory, ClusterCertificateAuthority.CertificateFile),
        });

        Assert.True(loaded.Node.HasPrivateKey);
        Assert.Equal(issued.Thumbprint, loaded.Node.Thumbprint);
        Assert.True(loaded.Accepts(issued, out var problem), problem);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "worker-1.key")));
        }
    }

    [Fact]
    public void Load_Pkcs12WithPassword_NodeWithKey()
    {
        _certificates.Authority.Save(_directory);
        using var issued = _certificates.Node("worker-2");
        var pfx = Path.Combine(_directory, "worker-2.pfx");
        File.WriteAllBytes(pfx, issued.Export(X509ContentType.Pkcs12, "secret"));

        using var loaded = ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = pfx,
            CertificatePassword = "secret",
            CaCertificate = Path.Combine(_directory, ClusterCertificateAuthority.CertificateFile),
        });

        Assert.True(loaded.Node.HasPrivateKey);
    }

    [Fact]
    public void Load_MissingCertificate_ErrorNamesTheSettingAndFile()
    {
        var missing = Path.Combine(_directory, "none.crt");

        var error = Assert.Throws<ArgumentException>(() => ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = missing,
            CaCertificate = missing,
        }));

        Assert.StartsWith($"Cluster:Tls:Certificate: cannot read '{missing}'", error.Message);
        Assert.Contains("Cluster__Tls__Certificate", error.Message);
    }

    [Fact]
    public void Load_CertificateWithoutItsKey_ErrorSaysToGiveTheKey()
    {
        _certificates.Authority.Save(_directory);
        using var issued = _certificates.Node("worker-3");
        var certificateOnly = Path.Combine(_directory, "worker-3.crt");
        File.WriteAllText(certificateOnly, issued.ExportCertificatePem());

        var error = Assert.Throws<ArgumentException>(() => ClusterCertificates.Load(new ClusterTlsOptions
        {
            Enabled = true,
            Certificate = certificateOnly,
            CaCertificate = Path.Combine(_directory, ClusterCertificateAuthority.CertificateFile),
        }));

        Assert.StartsWith("Cluster:Tls:Certificate:", error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
