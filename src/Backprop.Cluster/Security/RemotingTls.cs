using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Backprop.Cluster.Security;

/// <summary>Akka remoting over mutual TLS: each node presents its certificate and accepts only peers of the cluster's CA.</summary>
public static class RemotingTls
{
    /// <summary>
    /// The DotNetty TLS setup of a node (with <c>enable-ssl</c> in <see cref="Hosting.ClusterHocon"/>): mutual
    /// authentication, no host-name check (nodes are dialled by address; identity is the CA's signature), and
    /// <see cref="ClusterCertificates.Accepts"/> on both ends of every connection. A refusal is logged at most once per
    /// 10 s, with the count of those in between.
    /// </summary>
    public static DotNettySslSetup Setup(ClusterCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var refusals = new RefusalReports(TimeSpan.FromSeconds(10));
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

                if (refusals.ShouldReport(out var notReported))
                {
                    log.Warning("TLS: refused {0}: {1}{2}", remotePeer, problem, notReported > 0 ? $" (and {notReported} more refused since the last report)" : "");
                }

                return false;
            });
    }

    /// <summary>
    /// Drops remoting's own lines about inbound connections that never became a peer (<see cref="StrangerConnectionLogFilter"/>),
    /// which a stranger could repeat to fill the log. A peer refused for its certificate is still logged by
    /// <see cref="Setup"/>'s check, at most once per 10 s.
    /// </summary>
    public static LogFilterSetup LogFilter() => new([new StrangerConnectionLogFilter()]);
}
