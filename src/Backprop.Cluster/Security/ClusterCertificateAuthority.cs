using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Backprop.Cluster.Security;

/// <summary>
/// A cluster's own certificate authority (ECDSA P-256, System.Security.Cryptography only): it issues each node a
/// certificate that serves both ends of a TLS connection, since every node both accepts and opens connections.
/// </summary>
public sealed class ClusterCertificateAuthority : IDisposable
{
    /// <summary>File names of a CA directory (<c>backprop certs init --out DIR</c>).</summary>
    public const string CertificateFile = "ca.crt";

    /// <inheritdoc cref="CertificateFile"/>
    public const string KeyFile = "ca.key";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private ClusterCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A new CA named <paramref name="name"/>, valid for <paramref name="validity"/> from now.</summary>
    public static ClusterCertificateAuthority Create(string name, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(DistinguishedName(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new ClusterCertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity)));
    }

    /// <summary>Reads a CA directory written by <see cref="Save"/>.</summary>
    public static ClusterCertificateAuthority Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return new ClusterCertificateAuthority(
            X509Certificate2.CreateFromPemFile(Path.Combine(directory, CertificateFile), Path.Combine(directory, KeyFile)));
    }

    /// <summary>
    /// A node certificate for <paramref name="name"/>, signed by this CA, with <paramref name="dnsNames"/> and
    /// <paramref name="addresses"/> as subject alternative names, valid for <paramref name="validity"/> (never past the CA).
    /// </summary>
    public X509Certificate2 Issue(string name, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(addresses);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(DistinguishedName(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        foreach (var dns in dnsNames.Where(dns => dns != name))
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(validity) < Certificate.NotAfter ? now.Add(validity) : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        using var issued = request.Create(Certificate, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes ca.crt and ca.key (PEM) to <paramref name="directory"/>; the key readable by its owner only.</summary>
    public void Save(string directory) => WritePem(Certificate, directory, CertificateFile, KeyFile);

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files <paramref name="certificateFile"/> and <paramref name="keyFile"/>.</summary>
    public static void WritePem(X509Certificate2 certificate, string directory, string certificateFile, string keyFile)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Directory.CreateDirectory(directory);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the certificate has no ECDSA private key", nameof(certificate));
        var keyPath = Path.Combine(directory, keyFile);
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(Path.Combine(directory, certificateFile), certificate.ExportCertificatePem());
    }

    /// <inheritdoc/>
    public void Dispose() => Certificate.Dispose();

    private static X500DistinguishedName DistinguishedName(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        builder.AddOrganizationName("Backprop.Distributed");
        return builder.Build();
    }
}
