using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;
using Backprop.Core;

namespace Backprop.Cli.Remote;

/// <summary>
/// Trust in an https:// server whose certificate comes from a CA of the user's own (<c>--ca-certificate</c>, e.g. the
/// cluster CA of <c>backprop certs init</c>) rather than one the machine trusts: the chain must end at that CA, and the
/// certificate must name the host the URL names, as for any https:// server.
/// </summary>
internal sealed class ServerCertificateTrust(X509Certificate2 authority) : IDisposable
{
    /// <summary>Reads the CA certificate (PEM or DER) of <paramref name="path"/>; exit 2 naming <paramref name="flag"/> when it cannot.</summary>
    public static ServerCertificateTrust Load(string flag, string path)
    {
        try
        {
            return new ServerCertificateTrust(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidInputException($"{flag}: cannot read a certificate from {path}: {e.Message}");
        }
    }

    /// <summary>TLS options that check the server's certificate against the CA alone.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new() { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Accepts(certificate, errors) };

    public void Dispose() => authority.Dispose();

    private bool Accepts(X509Certificate? certificate, SslPolicyErrors errors)
    {
        // The machine's own chain check fails for a private CA; the name and the certificate's presence still count.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return CertificateChain.Reaches(server, authority, out _);
    }
}
