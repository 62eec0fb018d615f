using System.Net;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;

namespace Backprop.Cluster.Tests.Security;

/// <summary>A cluster CA with node certificates, and a stranger's CA, made once per test class.</summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(1);

    public TestCertificates()
    {
        Authority = ClusterCertificateAuthority.Create("test cluster CA", Validity);
        Stranger = ClusterCertificateAuthority.Create("another CA", Validity);
    }

    public ClusterCertificateAuthority Authority { get; }

    public ClusterCertificateAuthority Stranger { get; }

    /// <summary>A node certificate of the cluster (or, with <paramref name="fromStranger"/>, of the other CA).</summary>
    public X509Certificate2 Node(string name, bool fromStranger = false) =>
        (fromStranger ? Stranger : Authority).Issue(name, [], [IPAddress.Loopback], Validity);

    /// <summary>The certificates a node of the cluster uses (its own and the cluster CA's).</summary>
    public ClusterCertificates ForNode(string name, bool fromStranger = false) =>
        new(Node(name, fromStranger), PublicCopy(fromStranger ? Stranger : Authority));

    public static X509Certificate2 PublicCopy(ClusterCertificateAuthority authority) =>
        X509CertificateLoader.LoadCertificate(authority.Certificate.RawData);

    public void Dispose()
    {
        Authority.Dispose();
        Stranger.Dispose();
    }
}
