using System.Collections.Immutable;
using Akka.Actor;
using Backprop.Server.Storage;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace Backprop.Server;

/// <summary>
/// On coordinator nodes: keeps <see cref="ClusterMemberFile"/> equal to the cluster's other members that are up, so
/// that this coordinator, started again after a crash, can find them. Only a change is written; a write that fails is
/// logged and tried again with the next change.
/// </summary>
internal sealed class ClusterMemberRecorder : ReceiveActor
{
    /// <summary>Name of the actor under /user.</summary>
    public const string Name = "cluster-member-recorder";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ClusterMemberFile _file;
    private readonly ILogger _logger;
    private ImmutableHashSet<Address> _members = [];
    private ImmutableHashSet<Address> _written = [];

    /// <summary>Records to <paramref name="file"/>; failures go to <paramref name="logger"/>.</summary>
    public ClusterMemberRecorder(ClusterMemberFile file, ILogger logger)
    {
        _file = file;
        _logger = logger;
        Receive<ClusterEvent.MemberUp>(up => Update(_members.Add(up.Member.Address)));
        Receive<ClusterEvent.MemberWeaklyUp>(up => Update(_members.Add(up.Member.Address)));
        Receive<ClusterEvent.MemberRemoved>(removed => Update(_members.Remove(removed.Member.Address)));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    /// <summary>Props of a recorder writing <paramref name="file"/>.</summary>
    public static Props Props(ClusterMemberFile file, ILogger logger) => Akka.Actor.Props.Create(() => new ClusterMemberRecorder(file, logger));

    /// <inheritdoc />
    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Update(ImmutableHashSet<Address> members)
    {
        _members = members.Remove(_cluster.SelfAddress);
        if (_members.SetEquals(_written))
        {
            return;
        }

        try
        {
            _file.Write(_members);
            _written = _members;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not record the cluster's members in {Path}: {Error}", _file.Path, error.Message);
        }
    }
}
