using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Backprop.Cluster.Security;

/// <summary>Akka remoting over mutual TLS: each node presents its certificate and accepts only peers of the cluster's CA.</summary>
public static class RemotingTls
{
    /// <summary>
    /// The DotNetty TLS setup of a node (with <c>enable-ssl</c> in <see cref="Hosting.ClusterHocon"/>): mutual
    /// authentication, no host-name check (nodes are dialled by address; identity is the CA's signature), and
    /// <see cref="ClusterCertificates.Accepts"/> on both ends of every connection.
    /// </summary>
    public static DotNettySslSetup Setup(ClusterCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return new DotNettySslSetup(
            certificates.Node,
            suppressValidation: false,
            requireMutualAuthentication: true,
            validateCertificateHostname: false,
            (certificate, _, remotePeer, _, log) =>
            {
                if (certificates.Accepts(certificate, out var problem))
                {
                    return true;
                }

                log.Warning("TLS: refused {0}: {1}", remotePeer, problem);
                return false;
            });
    }
}
