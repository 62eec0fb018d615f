using Akka.Actor;
using Akka.Actor.Setup;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;

namespace Backprop.Cluster.Tests.Security;

/// <summary>Real remoting over loopback: who may join a cluster whose nodes use mutual TLS.</summary>
public sealed class RemotingTlsTests : IClassFixture<TestCertificates>, IAsyncLifetime
{
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(20);

    /// <summary>How long a refused node keeps trying before the test checks that it never became a member.</summary>
    private static readonly TimeSpan RefusedWait = TimeSpan.FromSeconds(6);

    private readonly TestCertificates _certificates;
    private readonly List<ActorSystem> _systems = [];

    public RemotingTlsTests(TestCertificates certificates) => _certificates = certificates;

    [Fact]
    public async Task Join_NodeWithACertificateOfTheClusterCa_BecomesAMember()
    {
        var seed = StartSeed();
        var worker = Start(_certificates.ForNode("worker"));

        Akka.Cluster.Cluster.Get(worker).Join(SelfAddress(seed));

        await WaitForMembers(seed, 2, JoinWait);
        Assert.Equal("akka.ssl.tcp", SelfAddress(seed).Protocol);
    }

    [Fact]
    public async Task Join_NodeWithAnotherCasCertificate_NeverBecomesAMember()
    {
        var seed = StartSeed();
        var rogue = Start(_certificates.ForNode("rogue", fromStranger: true));

        Akka.Cluster.Cluster.Get(rogue).Join(SelfAddress(seed));
        await Task.Delay(RefusedWait);

        Assert.Single(Akka.Cluster.Cluster.Get(seed).State.Members);
        Assert.Empty(Akka.Cluster.Cluster.Get(rogue).State.Members);
    }

    [Fact]
    public async Task Join_PlaintextNode_NeverBecomesAMember()
    {
        var seed = StartSeed();
        var plain = Start(certificates: null);

        // A plaintext node speaks akka.tcp to the seed's TLS port.
        var seedAddress = SelfAddress(seed);
        Akka.Cluster.Cluster.Get(plain).Join(new Address("akka.tcp", seedAddress.System, seedAddress.Host, seedAddress.Port));
        await Task.Delay(RefusedWait);

        Assert.Single(Akka.Cluster.Cluster.Get(seed).State.Members);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems)
        {
            await system.Terminate();
        }
    }

    private ActorSystem StartSeed()
    {
        var seed = Start(_certificates.ForNode("seed"));
        Akka.Cluster.Cluster.Get(seed).Join(SelfAddress(seed));
        return seed;
    }

    private ActorSystem Start(ClusterCertificates? certificates)
    {
        var options = new ClusterOptions { Port = 0, Tls = new ClusterTlsOptions { Enabled = certificates is not null } };
        var setup = BootstrapSetup.Create().WithConfig(ClusterHocon.For(options));
        var system = ActorSystem.Create(ClusterRoles.SystemName, certificates is null ? ActorSystemSetup.Create(setup) : setup.And(RemotingTls.Setup(certificates)));
        _systems.Add(system);
        return system;
    }

    private static Address SelfAddress(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfAddress;

    private static async Task WaitForMembers(ActorSystem system, int count, TimeSpan timeout)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var deadline = DateTime.UtcNow + timeout;
        while (cluster.State.Members.Count(member => member.Status == Akka.Cluster.MemberStatus.Up) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} members were not up within {timeout}: {string.Join(", ", cluster.State.Members)}");
            await Task.Delay(100);
        }
    }
}
