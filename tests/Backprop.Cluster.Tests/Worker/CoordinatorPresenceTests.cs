using Akka.Cluster;
using Backprop.Cluster.Worker;

namespace Backprop.Cluster.Tests.Worker;

public class CoordinatorPresenceTests
{
    private static readonly MemberView Worker = new(IsCoordinator: false, MemberStatus.Up, Reachable: true);

    [Theory]
    [InlineData(MemberStatus.Joining)]
    [InlineData(MemberStatus.WeaklyUp)]
    [InlineData(MemberStatus.Up)]
    public void IsPresent_ReachableCoordinatorJoiningOrUp_IsTrue(MemberStatus status) =>
        Assert.True(CoordinatorPresence.IsPresent([Worker, new MemberView(IsCoordinator: true, status, Reachable: true)]));

    [Theory]
    [InlineData(MemberStatus.Leaving)]
    [InlineData(MemberStatus.Exiting)]
    [InlineData(MemberStatus.Down)]
    [InlineData(MemberStatus.Removed)]
    public void IsPresent_CoordinatorOnItsWayOut_IsFalse(MemberStatus status) =>
        Assert.False(CoordinatorPresence.IsPresent([Worker, new MemberView(IsCoordinator: true, status, Reachable: true)]));

    [Fact]
    public void IsPresent_OnlyAnUnreachableCoordinator_IsFalse() =>
        // A crashed coordinator stays a member until the Split Brain Resolver downs it: it trains nothing meanwhile.
        Assert.False(CoordinatorPresence.IsPresent([Worker, new MemberView(IsCoordinator: true, MemberStatus.Up, Reachable: false)]));

    [Fact]
    public void IsPresent_OldIncarnationUnreachableAndANewOneJoining_IsTrue() =>
        Assert.True(CoordinatorPresence.IsPresent(
        [
            Worker,
            new MemberView(IsCoordinator: true, MemberStatus.Up, Reachable: false),
            new MemberView(IsCoordinator: true, MemberStatus.Joining, Reachable: true),
        ]));

    [Fact]
    public void IsPresent_WorkersOnly_IsFalse() =>
        Assert.False(CoordinatorPresence.IsPresent([Worker, Worker with { Status = MemberStatus.Joining }]));
}
