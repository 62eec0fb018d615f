using Akka.Event;
using Backprop.Cluster.Security;
using DotNetty.Handlers.Tls;

namespace Backprop.Cluster.Tests.Security;

public sealed class StrangerConnectionLogFilterTests
{
    private readonly StrangerConnectionLogFilter _filter = new();

    [Fact]
    public void ShouldKeepMessage_BytesThatAreNotTls_Dropped() =>
        Assert.Equal(LogFilterDecision.Drop, _filter.ShouldKeepMessage(
            new Error(new NotSslRecordException("not an SSL/TLS record: c4986039"), "TcpServerHandler", typeof(object), "Error caught channel [a->b]")));

    [Theory]
    [InlineData("TLS handshake failed on channel [[::ffff:10.200.1.1]:4053->[::ffff:10.200.1.4]:46902]")]
    [InlineData("Rejected incoming connection from [[::ffff:10.200.1.4]:46902] due to TLS handshake failure. This is likely invalid or malicious traffic.")]
    [InlineData("No response from remote for inbound association. Handshake timed out after [15000] ms")]
    public void ShouldKeepMessage_AStrangersConnection_Dropped(string message) =>
        Assert.Equal(LogFilterDecision.Drop, _filter.ShouldKeepMessage(new Warning("TcpServerHandler", typeof(object), message)));

    [Theory]
    [InlineData("Member up: akka.ssl.tcp://backprop@10.200.1.2:4053 [worker]")]
    [InlineData("TLS: refused [::ffff:10.200.1.4]:4053: issuer 'CN=stranger CA'")]
    public void ShouldKeepMessage_OtherLines_LeftAlone(string message) =>
        Assert.Equal(LogFilterDecision.NoDecision, _filter.ShouldKeepMessage(new Warning("cluster", typeof(object), message)));

    [Fact]
    public void ShouldKeepMessage_AnotherErrorOfAPeersChannel_LeftAlone() =>
        Assert.Equal(LogFilterDecision.NoDecision, _filter.ShouldKeepMessage(
            new Error(new IOException("Connection reset by peer"), "TcpServerHandler", typeof(object), "Error caught channel [a->b]")));
}
