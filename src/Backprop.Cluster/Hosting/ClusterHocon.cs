using System.Globalization;
using Akka.Configuration;
using Backprop.Cluster.Serialization;

namespace Backprop.Cluster.Hosting;

/// <summary>The Akka.NET configuration of a node, derived from its <see cref="ClusterOptions"/>.</summary>
public static class ClusterHocon
{
    /// <summary>
    /// Room in a remoting frame beyond a tensor chunk (the rest of the message and Akka's envelope).
    /// Akka.Remote DROPS a larger message with only a log line, so the frame limit is set from the chunk size.
    /// </summary>
    private const int FrameHeadroomBytes = 64 * 1024;

    /// <summary>
    /// Dispatcher of actors that compute (gradient workers, training coordinators): a thread each, so a long
    /// pass never holds up the cluster's own actors.
    /// </summary>
    public const string ComputeDispatcher = "backprop.compute-dispatcher";

    /// <summary>
    /// Remoting over TCP, cluster with the given roles and seeds, the Split Brain Resolver's keep-majority
    /// strategy, and the protobuf serializer for every message of Backprop.Protocol.
    /// </summary>
    public static Config For(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var frameBytes = options.ChunkBytes + FrameHeadroomBytes;
        var socketBufferBytes = 4 * frameBytes;
        var serializer = typeof(ProtocolMessageSerializer);
        var hocon = $$"""
            backprop.compute-dispatcher {
              type = PinnedDispatcher
            }
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              actor {
                provider = cluster
                serializers.backprop = "{{serializer.FullName}}, {{serializer.Assembly.GetName().Name}}"
                serialization-bindings {
                  "Google.Protobuf.IMessage, Google.Protobuf" = backprop
                }
              }
              # A node that leaves closes its connections; membership events and the coordinators' own
              # "worker dropped" warnings say what matters, without remoting's stack traces.
              remote.log-remote-lifecycle-events = off
              remote.dot-netty.tcp {
                hostname = "{{options.Hostname}}"
                public-hostname = "{{options.AdvertisedHostname}}"
                port = {{options.Port}}
                # Batching holds writes for up to its flush interval (40 ms): every step is a round trip, so write at once.
                batching.enabled = false
                maximum-frame-size = {{frameBytes}}b
                send-buffer-size = {{socketBufferBytes}}b
                receive-buffer-size = {{socketBufferBytes}}b
                # With TLS the certificates come from RemotingTls' setup, and addresses read akka.ssl.tcp://.
                enable-ssl = {{(options.Tls.Enabled ? "true" : "false")}}
              }
              cluster {
                # The proxy warns while the singleton is still starting; jobs wait in its buffer meanwhile.
                singleton-proxy.log-singleton-identification-failure = off
                roles = [{{string.Join(", ", options.Roles.Select(Quote))}}]
                # No seed-nodes: the node joins them itself, with a restarted coordinator's former members (ClusterSeeds).
                # A node restarted on the address of a member the cluster has not yet removed (a coordinator after a
                # crash) is refused until the old incarnation is gone; retry every 2 s rather than Akka's 10 s.
                retry-unsuccessful-join-after = 2s
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{options.DownUnreachableAfter.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}}ms
                  # Akka's default ("on") downs EVERY node, on every node, once reachability has kept changing, with
                  # no quiet spell of stable-after, for stable-after + max(4 s, 3/4 stable-after) since the first
                  # change (7 s for 3 s): a few failures or one flapping node end the whole cluster, coordinator and
                  # jobs included, for any stable-after, so no validation of it can rule that out. Off, decisions
                  # only wait for a quiet spell; meanwhile coordinators already keep blocks off unreachable workers.
                  # The risk taken is two sides deciding on different views in a long unstable partition; a side
                  # without the job manager's coordinator holds no jobs (docs/server.md).
                  down-all-when-unstable = off
                }
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon);
    }

    private static string Quote(string value) => $"\"{value}\"";
}
