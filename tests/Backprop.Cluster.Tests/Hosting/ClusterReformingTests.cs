using Akka.Actor;
using Akka.Cluster;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Worker;

namespace Backprop.Cluster.Tests.Hosting;

/// <summary>
/// A coordinator lost from its workers' cluster: a new one started with the former members rejoins them, and
/// workers left without any coordinator leave their cluster so that a restart brings them to the seed nodes.
/// </summary>
public sealed class ClusterReformingTests
{
    /// <summary>Longer than a node takes to join or leave on a busy 2-core machine.</summary>
    private static readonly TimeSpan MembershipTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartCoordinator_FormerMemberStillInACluster_JoinsThatCluster()
    {
        await using var first = await StartCoordinatorAsync();
        await using var worker = await StartWorkerAsync(first, coordinatorLostAfter: TimeSpan.FromMinutes(5));
        await first.DisposeAsync();
        await WaitUntilAsync(() => !HasCoordinator(worker), "the worker still sees the first coordinator");

        await using var second = await StartCoordinatorAsync(formerMembers: [worker.Address]);

        await WaitUntilAsync(() => IsUpIn(worker, second) && IsUpIn(second, worker), "the new coordinator and the worker are not in one cluster");
    }

    [Fact]
    public async Task StartCoordinator_FormerMembersGone_FormsItsOwnCluster()
    {
        var gone = new Address("akka.tcp", ClusterRoles.SystemName, "127.0.0.1", 9);

        await using var coordinator = await StartCoordinatorAsync(formerMembers: [gone]);

        // Akka's seed-node-timeout (5 s) after which the first seed joins itself.
        await WaitUntilAsync(() => IsUpIn(coordinator, coordinator), "the coordinator did not form a cluster of its own");
    }

    [Fact]
    public async Task CoordinatorWatch_CoordinatorLeaves_WorkerShutsDownForItsRestartToRejoin()
    {
        await using var coordinator = await StartCoordinatorAsync();
        await using var worker = await StartWorkerAsync(coordinator, coordinatorLostAfter: TimeSpan.FromSeconds(1));

        await coordinator.DisposeAsync();

        await worker.System.WhenTerminated.WaitAsync(MembershipTimeout);
        Assert.IsType<CoordinatorLostReason>(CoordinatedShutdown.Get(worker.System).ShutdownReason);
    }

    [Fact]
    public async Task CoordinatorWatch_CoordinatorStays_WorkerStays()
    {
        await using var coordinator = await StartCoordinatorAsync();
        await using var worker = await StartWorkerAsync(coordinator, coordinatorLostAfter: TimeSpan.FromSeconds(1));

        // Three times the grace period, checked once a second.
        var terminated = await Task.WhenAny(worker.System.WhenTerminated, Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.NotSame(worker.System.WhenTerminated, terminated);
    }

    private static Task<BackpropNode> StartCoordinatorAsync(IReadOnlyList<Address>? formerMembers = null) =>
        BackpropNode.StartAsync(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }, formerMembers);

    private static async Task<BackpropNode> StartWorkerAsync(BackpropNode coordinator, TimeSpan coordinatorLostAfter)
    {
        var worker = await BackpropNode.StartAsync(new ClusterOptions
        {
            Tls = { Enabled = false },
            Port = 0,
            Roles = [ClusterRoles.Worker],
            SeedNodes = [coordinator.Address.ToString()],
            WorkerThreads = 1,
            CoordinatorLostAfter = coordinatorLostAfter,
        });
        await WaitUntilAsync(() => IsUpIn(worker, worker), "the worker did not join");
        return worker;
    }

    private static bool HasCoordinator(BackpropNode node) =>
        Akka.Cluster.Cluster.Get(node.System).State.Members.Any(member => member.HasRole(ClusterRoles.Coordinator));

    /// <summary>Whether <paramref name="viewer"/> sees <paramref name="member"/> as an Up member.</summary>
    private static bool IsUpIn(BackpropNode viewer, BackpropNode member) =>
        Akka.Cluster.Cluster.Get(viewer.System).State.Members.Any(m => m.Address == member.Address && m.Status == MemberStatus.Up);

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + MembershipTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}
