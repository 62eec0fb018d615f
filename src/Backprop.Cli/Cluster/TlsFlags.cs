using System.CommandLine;
using Backprop.Cluster.Security;
using Backprop.Core;

namespace Backprop.Cli.Cluster;

/// <summary>The flags of a node's mutual TLS (<c>backprop worker</c>): its certificate and the cluster CA, or plaintext chosen explicitly.</summary>
internal sealed class TlsFlags
{
    public Option<string?> Certificate { get; } = new("--certificate") { Description = "This node's certificate (PEM or PFX; backprop certs node makes one)" };

    public Option<string?> CertificateKey { get; } = new("--certificate-key") { Description = "The PEM private key of --certificate" };

    public Option<string?> CaCertificate { get; } = new("--ca-certificate") { Description = "The cluster CA's certificate (ca.crt of backprop certs init)" };

    public Option<bool> Plaintext { get; } = new("--plaintext") { Description = "No TLS: any host that reaches this node can join its cluster" };

    public IEnumerable<Option> All => [Certificate, CertificateKey, CaCertificate, Plaintext];

    /// <summary>The node's TLS settings; exit 2 (<see cref="InvalidInputException"/>) when neither certificates nor --plaintext are given.</summary>
    public ClusterTlsOptions Options(ParseResult parsed)
    {
        if (parsed.GetValue(Plaintext))
        {
            return new ClusterTlsOptions { Enabled = false };
        }

        var certificate = parsed.GetValue(Certificate);
        var authority = parsed.GetValue(CaCertificate);
        if (string.IsNullOrWhiteSpace(certificate) || string.IsNullOrWhiteSpace(authority))
        {
            throw new InvalidInputException(
                "--certificate and --ca-certificate are required: the cluster uses mutual TLS (backprop certs node makes them), or give --plaintext");
        }

        return new ClusterTlsOptions { Certificate = certificate, CertificateKey = parsed.GetValue(CertificateKey) ?? "", CaCertificate = authority };
    }

    /// <summary>The arguments that give a <c>backprop worker</c> child process <paramref name="tls"/>.</summary>
    public static IEnumerable<string> ArgumentsFor(ClusterTlsOptions tls) =>
        tls.Enabled
            ? ["--certificate", tls.Certificate, "--certificate-key", tls.CertificateKey, "--ca-certificate", tls.CaCertificate]
            : ["--plaintext"];
}
