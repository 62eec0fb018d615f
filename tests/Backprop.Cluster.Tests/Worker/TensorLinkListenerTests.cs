using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.TestKit.Xunit2;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;
using Backprop.Cluster.Tests.Security;
using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;

namespace Backprop.Cluster.Tests.Worker;

/// <summary>The tensor link port under hostile connections: strangers that say nothing, or present another CA's certificate.</summary>
public sealed class TensorLinkListenerTests(TestCertificates certificates)
    : TestKit(ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 })), IClassFixture<TestCertificates>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_HundredsOfSilentConnections_ALinkOfTheClusterStillOpensAtOnce()
    {
        using var workerTls = certificates.ForNode("worker");
        using var coordinatorTls = certificates.ForNode("coordinator");
        var worker = CreateTestProbe();
        using var listener = TensorLinkListener.Start("127.0.0.1", 0, "127.0.0.1", Timeout, workerTls, worker);
        var port = int.Parse(listener.Endpoint.Split(':')[1]);
        var silent = new List<TcpClient>();
        try
        {
            // More than may be opening at once: each waits for a TLS handshake that never comes, and the oldest are given up.
            for (var i = 0; i < 400; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                silent.Add(client);
            }

            // Give the listener time to take them all: every slot for an opening connection is then taken. Were new
            // connections refused then, or a thread waiting on each (as the accept path once did), this link would wait.
            await Task.Delay(500);
            var started = DateTime.UtcNow;
            using var link = await TensorLink.ConnectAsync(listener.Endpoint, "job-1", Timeout, Timeout, tls: coordinatorTls);
            var opened = worker.ExpectMsg<TensorLinkOpened>(Timeout);

            Assert.Equal("job-1", opened.JobId);
            opened.Link.Dispose();
            Assert.True(DateTime.UtcNow - started < Timeout / 2, $"the link took {DateTime.UtcNow - started} to open");
        }
        finally
        {
            silent.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task Start_AStrangerRepeatedly_OneRefusalReportedForAllItsTries()
    {
        using var workerTls = certificates.ForNode("worker");
        using var rogueTls = certificates.ForNode("rogue", fromStranger: true);
        // The rogue trusts the worker (it holds the cluster CA's public certificate); the worker does not trust it.
        using var rogue = new ClusterCertificates(rogueTls.Node, TestCertificates.PublicCopy(certificates.Authority));
        var worker = CreateTestProbe();
        using var listener = TensorLinkListener.Start("127.0.0.1", 0, "127.0.0.1", Timeout, workerTls, worker);

        for (var i = 0; i < 5; i++)
        {
            try
            {
                // Under TLS 1.3 the client may finish its side before the worker refuses it.
                (await TensorLink.ConnectAsync(listener.Endpoint, "job-1", Timeout, Timeout, tls: rogue)).Dispose();
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // Or it saw the refusal.
            }
        }

        var refused = worker.ExpectMsg<TensorLinkRefused>(Timeout);
        Assert.Contains("issuer 'CN=another CA", refused.Reason);
        Assert.Equal(0, refused.NotReported);
        worker.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }
}
