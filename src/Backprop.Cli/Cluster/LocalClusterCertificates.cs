using System.Net;
using Backprop.Cluster.Security;

namespace Backprop.Cli.Cluster;

/// <summary>
/// A throwaway cluster CA and node certificate for <c>train --workers</c>, in a directory only this user can read and
/// deleted afterwards: the local cluster listens on loopback, where other users of the machine could reach it too.
/// </summary>
internal sealed class LocalClusterCertificates : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(1);
    private readonly DirectoryInfo _directory;

    public LocalClusterCertificates()
    {
        _directory = Directory.CreateTempSubdirectory("backprop-local-certs-");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var authority = ClusterCertificateAuthority.Create("backprop train --workers", Validity);
        using var node = authority.Issue("local", [], [IPAddress.Loopback], Validity);
        // Only the CA's certificate is kept: with its key gone, no further certificate can be issued.
        File.WriteAllText(Path.Combine(_directory.FullName, ClusterCertificateAuthority.CertificateFile), authority.Certificate.ExportCertificatePem());
        ClusterCertificateAuthority.WritePem(node, _directory.FullName, "local.crt", "local.key");
        Tls = new ClusterTlsOptions
        {
            Certificate = Path.Combine(_directory.FullName, "local.crt"),
            CertificateKey = Path.Combine(_directory.FullName, "local.key"),
            CaCertificate = Path.Combine(_directory.FullName, ClusterCertificateAuthority.CertificateFile),
        };
    }

    /// <summary>The settings every node of the local cluster uses.</summary>
    public ClusterTlsOptions Tls { get; }

    public void Dispose() => _directory.Delete(recursive: true);
}
