using Akka.Actor;

namespace Backprop.Cluster.Hosting;

/// <summary>
/// The nodes a starting node joins through (Akka's seed-node process), from its configured seed nodes and, on a
/// coordinator, the cluster's former members it remembers.
/// </summary>
public static class ClusterSeeds
{
    /// <summary>
    /// The seed list for <see cref="Akka.Cluster.Cluster.JoinSeedNodes"/>: <paramref name="configured"/> seeds as they
    /// are, unless this node (<paramref name="self"/>) would form the cluster, i.e. there are none or the first one is
    /// itself. Then <paramref name="formerMembers"/> follow it, so that Akka's first-seed process asks them before it
    /// forms a new cluster. Empty when this node forms the cluster with no one to ask (it then joins itself).
    /// Every address is taken in this node's protocol (<c>akka.tcp</c>, or <c>akka.ssl.tcp</c> with TLS), since a node
    /// reaches others only through its own transport: a seed written as akka.tcp:// still works once TLS is on.
    /// </summary>
    public static IReadOnlyList<Address> ToJoin(Address self, IReadOnlyList<Address> configured, IReadOnlyList<Address> formerMembers)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(formerMembers);
        configured = [.. configured.Select(address => InProtocolOf(self, address))];
        formerMembers = [.. formerMembers.Select(address => InProtocolOf(self, address))];
        if (configured.Count > 0 && configured[0] != self)
        {
            return configured;
        }

        var others = configured.Concat(formerMembers).Where(address => address != self).Distinct().ToList();
        return others.Count == 0 ? [] : [self, .. others];
    }

    private static Address InProtocolOf(Address self, Address address) =>
        address.Protocol == self.Protocol ? address : new Address(self.Protocol, address.System, address.Host, address.Port);
}
