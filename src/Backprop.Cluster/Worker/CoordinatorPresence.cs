using Akka.Cluster;

namespace Backprop.Cluster.Worker;

/// <summary>
/// Whether a worker node's cluster has a coordinator it can train for: the decision behind
/// <see cref="CoordinatorWatch"/>, kept free of actors so that it is tested on its own.
/// </summary>
public static class CoordinatorPresence
{
    /// <summary>
    /// True when some member of <paramref name="members"/> has the coordinator role, is joining or up, and is
    /// reachable. A joining coordinator counts: one restarted on a new address stays joining until the Split Brain
    /// Resolver has downed its old incarnation, and the workers must not leave meanwhile.
    /// </summary>
    public static bool IsPresent(IEnumerable<MemberView> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return members.Any(member => member.IsCoordinator && member.Reachable && IsJoiningOrUp(member.Status));
    }

    /// <summary>Whether a node in <paramref name="status"/> takes part in the cluster (a watch starts only then).</summary>
    public static bool IsJoiningOrUp(MemberStatus status) => status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up;
}

/// <summary>What <see cref="CoordinatorPresence"/> needs to know of one member, as this node sees it.</summary>
public sealed record MemberView(bool IsCoordinator, MemberStatus Status, bool Reachable);
