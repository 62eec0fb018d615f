using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Security;

/// <summary>
/// A node's certificate and the cluster CA it trusts: the one check both Akka remoting and tensor links apply to a peer
/// (its certificate must chain to the cluster's CA, and to no other root).
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    /// <summary>A node's certificate <paramref name="node"/> (with its private key) and the CA <paramref name="authority"/> it trusts.</summary>
    public ClusterCertificates(X509Certificate2 node, X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(authority);
        if (!node.HasPrivateKey)
        {
            throw new ArgumentException($"the node certificate {node.Subject} has no private key", nameof(node));
        }

        Node = node;
        Authority = authority;
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Node { get; }

    /// <summary>The cluster CA's certificate.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>
    /// Loads the files of <paramref name="tls"/>. Throws <see cref="ArgumentException"/> naming the setting and file that
    /// could not be read, and why.
    /// </summary>
    public static ClusterCertificates Load(ClusterTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var node = Read("Tls:Certificate", tls.Certificate, () => LoadNode(tls));
        var authority = Read("Tls:CaCertificate", tls.CaCertificate, () => X509CertificateLoader.LoadCertificateFromFile(tls.CaCertificate));
        if (!node.HasPrivateKey)
        {
            throw ClusterOptions.Problem(
                $"{ClusterOptions.Section}:Tls:Certificate", $"'{tls.Certificate}' holds no private key", "give the key in Cluster:Tls:CertificateKey");
        }

        return new ClusterCertificates(node, authority);
    }

    /// <summary>
    /// Whether <paramref name="peer"/> chains to the cluster's CA (revocation is not checked: the cluster has no CRL).
    /// <paramref name="problem"/> says why not.
    /// </summary>
    public bool Accepts(X509Certificate? peer, out string problem)
    {
        if (peer is null)
        {
            problem = "the peer sent no certificate";
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        if (CertificateChain.Reaches(certificate, Authority, out var reasons))
        {
            problem = "";
            return true;
        }

        problem = $"the certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') does not chain to the cluster CA: {reasons}";
        return false;
    }

    /// <summary>TLS options of the side that accepts a tensor link: this node's certificate, a client certificate required and checked.</summary>
    public SslServerAuthenticationOptions ServerOptions(Action<string> rejected) => new()
    {
        ServerCertificate = Node,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Check(certificate, rejected),
    };

    /// <summary>TLS options of the side that opens a tensor link: this node's certificate as the client's, the server's checked.</summary>
    public SslClientAuthenticationOptions ClientOptions(Action<string> rejected) => new()
    {
        // Peers are named by address; identity is the CA's signature, not the host name.
        TargetHost = "backprop",
        ClientCertificates = [Node],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Check(certificate, rejected),
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        Node.Dispose();
        Authority.Dispose();
    }

    private bool Check(X509Certificate? certificate, Action<string> rejected)
    {
        if (Accepts(certificate, out var problem))
        {
            return true;
        }

        rejected(problem);
        return false;
    }

    private static X509Certificate2 LoadNode(ClusterTlsOptions tls)
    {
        var extension = Path.GetExtension(tls.Certificate);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.CertificatePassword.Length == 0 ? null : tls.CertificatePassword);
        }

        using var pem = X509Certificate2.CreateFromPemFile(tls.Certificate, tls.CertificateKey.Length == 0 ? null : tls.CertificateKey);
        // A key read from PEM is ephemeral; SslStream wants one it can hand to the platform's TLS, so round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Read(string key, string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw ClusterOptions.Problem($"{ClusterOptions.Section}:{key}", $"cannot read '{path}': {e.Message}", "give a readable PEM or PFX file");
        }
    }
}
