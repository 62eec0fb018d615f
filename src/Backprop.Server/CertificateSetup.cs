using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;

namespace Backprop.Server;

/// <summary>
/// <c>backprop-server --init-certs CERTS CA</c>: fills a deployment's certificate folders on first start, so that a
/// cluster is mutual TLS with no one running <c>backprop certs</c> (docker-compose.yml's one-shot <c>certs</c> service).
/// <c>CA</c> gets the cluster CA (ca.crt, ca.key) and <c>CERTS</c> what the nodes mount: the CA's certificate and one
/// node certificate all nodes share (node.crt, node.key). Peers are checked by their chain to the CA, not by name, so
/// one certificate serves replicas whose host names are not known in advance. Run again, it keeps what is there.
/// </summary>
internal static class CertificateSetup
{
    /// <summary>The flag that selects this mode; it must be the first argument.</summary>
    public const string Flag = "--init-certs";

    /// <summary>The node certificate's files in the certificates folder, which nodes give as <c>Cluster__Tls__Certificate</c> and <c>…__CertificateKey</c>.</summary>
    public const string NodeCertificateFile = "node.crt";

    /// <inheritdoc cref="NodeCertificateFile"/>
    public const string NodeKeyFile = "node.key";

    /// <summary>Exit code when the folders hold a CA and a node certificate of it.</summary>
    public const int Done = 0;

    /// <summary>Exit code for wrong arguments or a folder that cannot be read or written.</summary>
    public const int Failed = 2;

    private static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    private static readonly TimeSpan NodeValidity = TimeSpan.FromDays(825);

    /// <summary>A node certificate with less than this left is issued again (nodes read it when they start).</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Whether <paramref name="args"/> ask for the certificate folders rather than a node.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Flag;

    /// <summary>Creates what is missing in the folders of <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length != 3)
        {
            error.WriteLine($"{BackpropServer.Name}: {Flag}: usage: {Flag} CERTS_FOLDER CA_FOLDER (the nodes' folder and the CA key's own)");
            return Failed;
        }

        var (certificates, caFolder) = (args[1], args[2]);
        try
        {
            using var authority = LoadOrCreateAuthority(caFolder, output);
            Directory.CreateDirectory(certificates);
            File.WriteAllText(Path.Combine(certificates, ClusterCertificateAuthority.CertificateFile), authority.Certificate.ExportCertificatePem());
            if (HasCurrentNodeCertificate(certificates, authority))
            {
                output.WriteLine($"kept the node certificate in {certificates}");
                return Done;
            }

            using var node = authority.Issue("backprop-node", ["localhost"], [IPAddress.Loopback], NodeValidity);
            ClusterCertificateAuthority.WritePem(node, certificates, NodeCertificateFile, NodeKeyFile);
            output.WriteLine($"node certificate written to {Path.Combine(certificates, NodeCertificateFile)}, valid until {node.NotAfter:yyyy-MM-dd}");
            return Done;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error.WriteLine($"{BackpropServer.Name}: {Flag}: {e.Message}");
            return Failed;
        }
    }

    private static ClusterCertificateAuthority LoadOrCreateAuthority(string folder, TextWriter output)
    {
        if (File.Exists(Path.Combine(folder, ClusterCertificateAuthority.CertificateFile)))
        {
            return ClusterCertificateAuthority.Load(folder);
        }

        var authority = ClusterCertificateAuthority.Create("Backprop cluster CA", CaValidity);
        authority.Save(folder);
        output.WriteLine($"cluster CA written to {folder}");
        return authority;
    }

    private static bool HasCurrentNodeCertificate(string folder, ClusterCertificateAuthority authority)
    {
        var path = Path.Combine(folder, NodeCertificateFile);
        if (!File.Exists(path) || !File.Exists(Path.Combine(folder, NodeKeyFile)))
        {
            return false;
        }

        using var node = X509CertificateLoader.LoadCertificateFromFile(path);
        return CertificateChain.Reaches(node, authority.Certificate, out _) && node.NotAfter.ToUniversalTime() - DateTime.UtcNow > RenewBefore;
    }
}
