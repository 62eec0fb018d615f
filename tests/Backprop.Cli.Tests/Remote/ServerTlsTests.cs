using System.Net;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

/// <summary>The client verbs against an https:// server whose certificate comes from a CA of the user's own.</summary>
public sealed class ServerTlsTests : IDisposable
{
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("test cluster CA", TimeSpan.FromDays(1));
    private readonly string _folder = Directory.CreateTempSubdirectory("backprop-cli-tls-").FullName;

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Jobs_HttpsServerOfTheGivenCa_Answers()
    {
        using var server = HttpsServer("localhost");
        server.Trainer.Jobs = new ListJobsResponse { Jobs = { WatchScript.Status("job-1", JobState.Succeeded, 20, 2) } };

        var run = server.Run("jobs", "--ca-certificate", CaFile());

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("job-1", run.Output);
    }

    [Fact]
    public void Jobs_CaFromTheEnvironment_Answers()
    {
        using var server = HttpsServer("localhost");
        Environment.SetEnvironmentVariable("BACKPROP_CA_CERTIFICATE", CaFile());
        try
        {
            Assert.Equal(0, server.Run("jobs").ExitCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BACKPROP_CA_CERTIFICATE", null);
        }
    }

    [Fact]
    public void Jobs_WithoutTheCa_FailsToConnectWithOneLine()
    {
        using var server = HttpsServer("localhost");

        var run = server.Run("jobs");

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("securely", run.Error);
        Assert.Contains("--ca-certificate", run.Error);
        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Jobs_CertificateOfAnotherName_Refused()
    {
        // The certificate names a host other than the URL's: a CA's signature alone is not enough for a server.
        using var server = HttpsServer("elsewhere.example");

        var run = server.Run("jobs", "--ca-certificate", CaFile());

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Jobs_PlaintextUrlToTheTlsPort_Fails()
    {
        using var server = HttpsServer("localhost");

        var run = CliRun.Of("jobs", "--server", server.Url.Replace("https://", "http://", StringComparison.Ordinal), "--ca-certificate", CaFile());

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Jobs_CaCertificateUnreadable_ExitsWithBadInput() =>
        CliRun.Of("jobs", "--ca-certificate", Path.Combine(_folder, "missing.crt")).AssertBadInput("--ca-certificate", "missing.crt");

    private FakeTrainerServer HttpsServer(string name)
    {
        // The server's URL names 127.0.0.1: the certificate names it too, unless the test wants another name.
        using var certificate = _authority.Issue(name, [], name == "localhost" ? [IPAddress.Loopback] : [], TimeSpan.FromDays(1));
        // Kestrel needs a key it can use for the handshake; a PKCS#12 round trip gives it one on every platform.
        return new FakeTrainerServer(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null));
    }

    private string CaFile()
    {
        var path = Path.Combine(_folder, ClusterCertificateAuthority.CertificateFile);
        File.WriteAllText(path, _authority.Certificate.ExportCertificatePem());
        return path;
    }
}
