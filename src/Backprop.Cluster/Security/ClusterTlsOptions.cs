namespace Backprop.Cluster.Security;

/// <summary>
/// Mutual TLS on the cluster fabric (Akka remoting and tensor links), bound from <c>Cluster:Tls</c>
/// (<c>Cluster__Tls__Enabled</c>, <c>Cluster__Tls__Certificate</c>, …). Every node presents a certificate issued by the
/// cluster's CA and accepts only peers whose certificate chains to that CA.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>Whether the fabric uses TLS; plaintext must be chosen explicitly, and a node then logs one warning at start.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>This node's certificate: a PKCS#12 file (.pfx, .p12) or a PEM file (its key in <see cref="CertificateKey"/>, or in the same file).</summary>
    public string Certificate { get; set; } = "";

    /// <summary>The PEM private key of <see cref="Certificate"/>; empty when the certificate file holds it.</summary>
    public string CertificateKey { get; set; } = "";

    /// <summary>The password of a PKCS#12 <see cref="Certificate"/>; empty for none.</summary>
    public string CertificatePassword { get; set; } = "";

    /// <summary>The cluster CA's certificate (PEM or DER): the one root a peer's certificate must chain to.</summary>
    public string CaCertificate { get; set; } = "";
}
