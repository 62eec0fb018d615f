using Backprop.Cluster.Security;

namespace Backprop.Server.Tests;

/// <summary><c>backprop-server --init-certs CERTS CA</c>: the one-shot certificate service of docker-compose.yml.</summary>
public sealed class CertificateSetupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("backprop-init-certs-").FullName;

    private string Certificates => Path.Combine(_folder, "certs");

    private string Authority => Path.Combine(_folder, "ca");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Run_EmptyFolders_NodesGetACertificateOfTheNewCaAndNotItsKey()
    {
        Assert.Equal(CertificateSetup.Done, Run(Certificates, Authority));

        using var node = ClusterCertificates.Load(NodeTls());
        Assert.True(node.Accepts(node.Node, out var problem), problem);
        Assert.True(File.Exists(Path.Combine(Authority, ClusterCertificateAuthority.KeyFile)));
        Assert.False(File.Exists(Path.Combine(Certificates, ClusterCertificateAuthority.KeyFile)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Certificates, CertificateSetup.NodeKeyFile)));
        }
    }

    [Fact]
    public void Run_Again_KeepsTheCaAndTheNodeCertificate()
    {
        Run(Certificates, Authority);
        var node = File.ReadAllText(Path.Combine(Certificates, CertificateSetup.NodeCertificateFile));
        var ca = File.ReadAllText(Path.Combine(Authority, ClusterCertificateAuthority.CertificateFile));

        Assert.Equal(CertificateSetup.Done, Run(Certificates, Authority));

        Assert.Equal(node, File.ReadAllText(Path.Combine(Certificates, CertificateSetup.NodeCertificateFile)));
        Assert.Equal(ca, File.ReadAllText(Path.Combine(Authority, ClusterCertificateAuthority.CertificateFile)));
    }

    [Fact]
    public void Run_WithANewCa_IssuesTheNodeCertificateAgainFromIt()
    {
        Run(Certificates, Authority);
        var node = File.ReadAllText(Path.Combine(Certificates, CertificateSetup.NodeCertificateFile));
        Directory.Delete(Authority, recursive: true);

        Assert.Equal(CertificateSetup.Done, Run(Certificates, Authority));

        Assert.NotEqual(node, File.ReadAllText(Path.Combine(Certificates, CertificateSetup.NodeCertificateFile)));
        using var certificates = ClusterCertificates.Load(NodeTls());
        Assert.True(certificates.Accepts(certificates.Node, out var problem), problem);
    }

    [Fact]
    public void Run_WrongNumberOfArguments_ExitsFailedWithUsage()
    {
        string[][] wrong = [[CertificateSetup.Flag], [CertificateSetup.Flag, Certificates], [CertificateSetup.Flag, Certificates, Authority, _folder]];
        foreach (var args in wrong)
        {
            var error = new StringWriter();

            Assert.Equal(CertificateSetup.Failed, CertificateSetup.Run(args, TextWriter.Null, error));
            Assert.Contains("usage", error.ToString(), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Authority));
    }

    [Fact]
    public void Run_FolderIsAFile_ExitsFailedWithOneLine()
    {
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "");
        var error = new StringWriter();

        var exitCode = CertificateSetup.Run([CertificateSetup.Flag, file, Authority], TextWriter.Null, error);

        Assert.Equal(CertificateSetup.Failed, exitCode);
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }

    private static int Run(string certificates, string authority) =>
        CertificateSetup.Run([CertificateSetup.Flag, certificates, authority], TextWriter.Null, TextWriter.Null);

    private ClusterTlsOptions NodeTls() => new()
    {
        Certificate = Path.Combine(Certificates, CertificateSetup.NodeCertificateFile),
        CertificateKey = Path.Combine(Certificates, CertificateSetup.NodeKeyFile),
        CaCertificate = Path.Combine(Certificates, ClusterCertificateAuthority.CertificateFile),
    };
}
