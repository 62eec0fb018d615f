using Akka.Actor;
using Akka.Cluster;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace Backprop.Server;

/// <summary>
/// Logs the cluster's membership as this node sees it: members up, leaving, downed, removed, unreachable and
/// reachable again. It writes to the host's logger (stdout), not Akka's, which only prints warnings.
/// </summary>
internal sealed class MembershipLog : ReceiveActor
{
    /// <summary>Name of the actor under /user.</summary>
    public const string Name = "membership-log";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    /// <summary>Logs to <paramref name="logger"/>; <paramref name="downAfter"/> is the Split Brain Resolver's stable-after.</summary>
    public MembershipLog(ILogger logger, TimeSpan downAfter)
    {
        Receive<ClusterEvent.MemberUp>(up => logger.LogInformation("Member up: {Member}", Describe(up.Member)));
        Receive<ClusterEvent.MemberLeft>(left => logger.LogInformation("Member leaving: {Member}", Describe(left.Member)));
        Receive<ClusterEvent.MemberDowned>(downed => logger.LogWarning("Member downed: {Member}", Describe(downed.Member)));
        Receive<ClusterEvent.MemberRemoved>(removed =>
            logger.LogInformation("Member removed: {Member}, was {PreviousStatus}", Describe(removed.Member), removed.PreviousStatus));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.UnreachableMember>(unreachable => logger.LogWarning(
            "Member unreachable: {Member}; the Split Brain Resolver decides after {DownAfter} without further changes",
            Describe(unreachable.Member), downAfter));
        Receive<ClusterEvent.ReachableMember>(reachable => logger.LogInformation("Member reachable again: {Member}", Describe(reachable.Member)));
    }

    /// <summary>Props of the log.</summary>
    public static Props Props(ILogger logger, TimeSpan downAfter) =>
        Akka.Actor.Props.Create(() => new MembershipLog(logger, downAfter));

    /// <inheritdoc />
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private string Describe(Member member) =>
        $"{member.Address} [{string.Join(", ", member.Roles)}]{(member.Address == _cluster.SelfAddress ? " (this node)" : "")}";
}
