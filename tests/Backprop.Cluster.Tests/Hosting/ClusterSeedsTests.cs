using Akka.Actor;
using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Tests.Hosting;

public class ClusterSeedsTests
{
    private static readonly Address Self = Address.Parse("akka.tcp://backprop@coordinator-0:4053");
    private static readonly Address OtherCoordinator = Address.Parse("akka.tcp://backprop@coordinator-1:4053");
    private static readonly Address Worker = Address.Parse("akka.tcp://backprop@10.0.0.7:4053");
    private static readonly Address OtherWorker = Address.Parse("akka.tcp://backprop@10.0.0.8:4053");

    [Fact]
    public void ToJoin_NoSeedsNoFormerMembers_IsEmptySoTheNodeJoinsItself() =>
        Assert.Empty(ClusterSeeds.ToJoin(Self, [], []));

    [Fact]
    public void ToJoin_NoSeedsAndFormerMembers_IsSelfFirstThenThem() =>
        Assert.Equal([Self, Worker, OtherWorker], ClusterSeeds.ToJoin(Self, [], [Worker, OtherWorker]));

    [Fact]
    public void ToJoin_FirstSeedIsSelf_FormerMembersFollowTheSeeds() =>
        // Kubernetes: coordinator-0 lists itself as the seed of every node.
        Assert.Equal([Self, OtherCoordinator, Worker], ClusterSeeds.ToJoin(Self, [Self, OtherCoordinator], [Worker, OtherCoordinator]));

    [Fact]
    public void ToJoin_FirstSeedIsAnotherNode_IsTheSeedsAlone() =>
        Assert.Equal([OtherCoordinator], ClusterSeeds.ToJoin(Self, [OtherCoordinator], [Worker]));

    [Fact]
    public void ToJoin_FormerMembersNameSelf_SelfIsNotAskedTwice() =>
        Assert.Equal([Self, Worker], ClusterSeeds.ToJoin(Self, [], [Self, Worker, Worker]));
}
