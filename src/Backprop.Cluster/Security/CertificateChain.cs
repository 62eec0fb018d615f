using System.Security.Cryptography.X509Certificates;

namespace Backprop.Cluster.Security;

/// <summary>
/// Whether a certificate chains to one given CA and to no other root (custom root trust, not the machine's store;
/// revocation is not checked: a cluster has no CRL). The one check behind peers, node certificates and servers of a
/// private CA.
/// </summary>
public static class CertificateChain
{
    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="authority"/>; <paramref name="problem"/> says why not.</summary>
    public static bool Reaches(X509Certificate2 certificate, X509Certificate2 authority, out string problem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
        {
            problem = "";
            return true;
        }

        problem = string.Join("; ", chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).Distinct());
        return false;
    }
}
