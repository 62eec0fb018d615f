using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Worker;

/// <summary>
/// On worker nodes: leaves the cluster and shuts the node down (<see cref="CoordinatorLostReason"/>) once the cluster
/// has had no reachable coordinator for <see cref="ClusterOptions.CoordinatorLostAfter"/>.
/// </summary>
/// <remarks>
/// Why: when a coordinator dies, the Split Brain Resolver may keep the workers' side and down the coordinator.
/// A coordinator started again normally finds them through the members it remembers on its data volume, but where it
/// cannot (its volume is new, its first tries timed out, the network was split when it started) it forms a cluster of
/// its own, and nothing else would ever bring the two together: every job would wait forever with no worker. A worker
/// that exits instead is restarted by its supervisor (docker's or Kubernetes' restart policy) and joins the seed nodes,
/// which name the coordinator. The check runs once a second from the node's own view of the membership; it starts
/// only once this node is a member, so a worker still trying to join waits as long as that takes.
/// </remarks>
public sealed class CoordinatorWatch : ReceiveActor, IWithTimers
{
    /// <summary>Name of the actor under /user.</summary>
    public const string Name = "coordinator-watch";

    /// <summary>How often the membership is looked at.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _lostAfter;
    private long? _lostSince;

    /// <summary>A watch that shuts the node down after <paramref name="lostAfter"/> without a coordinator.</summary>
    public CoordinatorWatch(TimeSpan lostAfter)
    {
        _lostAfter = lostAfter;
        Receive<Check>(_ => CheckMembership());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a watch shutting the node down after <paramref name="lostAfter"/> without a coordinator.</summary>
    public static Props Props(TimeSpan lostAfter) => Akka.Actor.Props.Create(() => new CoordinatorWatch(lostAfter));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Check), Check.Instance, CheckInterval);

    private void CheckMembership()
    {
        var state = _cluster.State;
        var self = state.Members.FirstOrDefault(member => member.UniqueAddress == _cluster.SelfUniqueAddress);
        var unreachable = state.Unreachable;
        var members = state.Members.Select(member => new MemberView(
            member.HasRole(ClusterRoles.Coordinator), member.Status, !unreachable.Contains(member)));
        if (self is null || !CoordinatorPresence.IsJoiningOrUp(self.Status) || CoordinatorPresence.IsPresent(members))
        {
            if (_lostSince is not null && self is not null)
            {
                _log.Warning("A coordinator is in the cluster again");
            }

            _lostSince = null;
            return;
        }

        if (_lostSince is not { } since)
        {
            _lostSince = Stopwatch.GetTimestamp();
            _log.Warning("No reachable coordinator in the cluster; this worker leaves it in {0} unless one comes back, to join the seed nodes again", _lostAfter);
            return;
        }

        if (Stopwatch.GetElapsedTime(since) >= _lostAfter)
        {
            _log.Error("No coordinator in the cluster for {0}: leaving it and shutting down, so that a restart joins the seed nodes again", _lostAfter);
            Timers.CancelAll();
            CoordinatedShutdown.Get(Context.System).Run(CoordinatorLostReason.Instance);
        }
    }

    /// <summary>The periodic tick.</summary>
    private sealed class Check
    {
        public static readonly Check Instance = new();
    }
}
