using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Backprop.Cluster.Security;
using Backprop.Cluster.Tests.Security;
using Backprop.Cluster.Transfer;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Transfer;

/// <summary>Tensor links over mutual TLS on a real loopback connection: who may open one.</summary>
public sealed class TensorLinkTlsTests : IClassFixture<TestCertificates>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TestCertificates _certificates;

    public TensorLinkTlsTests(TestCertificates certificates) => _certificates = certificates;

    [Fact]
    public async Task Link_BothEndsOfTheClusterCa_CarriesATensorBitForBit()
    {
        using var coordinatorTls = _certificates.ForNode("coordinator");
        using var workerTls = _certificates.ForNode("worker");
        using var listener = Listen();
        var accepting = AcceptAsync(listener, workerTls);

        using var coordinator = await TensorLink.ConnectAsync(EndpointOf(listener), "job-7", Timeout, Timeout, tls: coordinatorTls);
        var (worker, jobId, _) = await accepting;
        using var workerLink = worker;
        var received = new TaskCompletionSource<(TensorFrameHeader, float[])>();
        worker.Start(new TensorBufferPool(1000), (h, v) => received.TrySetResult((h, v)), _ => { });
        coordinator.Start(new TensorBufferPool(1000), (_, _) => { }, _ => { });
        var theta = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i) * 3).ToArray();
        var header = new TensorFrameHeader(5, 0, 0, 0, 0, 0, 0, 1000, TensorChecksum.Of(theta));

        Assert.True(coordinator.TrySend(header, theta, () => { }, out _));
        var (gotHeader, gotTheta) = await received.Task.WaitAsync(Timeout);

        Assert.Equal("job-7", jobId);
        Assert.Equal(header, gotHeader);
        Assert.Equal(theta, gotTheta);
    }

    [Fact]
    public async Task Accept_ClientOfAnotherCa_RefusedNamingTheCertificate()
    {
        using var workerTls = _certificates.ForNode("worker");
        using var rogueTls = _certificates.ForNode("rogue", fromStranger: true);
        using var listener = Listen();
        var accepting = AcceptAsync(listener, workerTls);

        // The rogue trusts the worker (it holds the cluster CA's public certificate); the worker does not trust it.
        using var rogueWithClusterCa = new ClusterCertificates(rogueTls.Node, TestCertificates.PublicCopy(_certificates.Authority));
        var connecting = TensorLink.ConnectAsync(EndpointOf(listener), "job-7", Timeout, Timeout, tls: rogueWithClusterCa);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => accepting);
        Assert.StartsWith("TLS: refused 127.0.0.1:", refused.Message);
        Assert.Contains("issuer 'CN=another CA", refused.Message);
        // Under TLS 1.3 the client finishes its side before the server checks its certificate, so the rogue may hold a
        // link for a moment; the worker closed it unread.
        try
        {
            (await connecting).Dispose();
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // Or it saw the refusal already.
        }
    }

    [Fact]
    public async Task Connect_ToAWorkerOfAnotherCa_RefusedNamingIt()
    {
        using var coordinatorTls = _certificates.ForNode("coordinator");
        using var rogueTls = _certificates.ForNode("rogue", fromStranger: true);
        using var listener = Listen();
        var accepting = AcceptAsync(listener, rogueTls);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(
            () => TensorLink.ConnectAsync(EndpointOf(listener), "job-7", Timeout, Timeout, tls: coordinatorTls));

        Assert.StartsWith($"TLS: refused {EndpointOf(listener)}: ", refused.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    [Fact]
    public async Task Accept_PlaintextClient_RefusedWithoutReadingAJob()
    {
        using var workerTls = _certificates.ForNode("worker");
        using var listener = Listen();
        var accepting = AcceptAsync(listener, workerTls);

        var plaintext = TensorLink.ConnectAsync(EndpointOf(listener), "job-7", Timeout, Timeout);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => accepting);
        Assert.StartsWith("TLS: handshake with 127.0.0.1:", refused.Message);
        (await plaintext).Dispose();
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static string EndpointOf(TcpListener listener) => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    private static async Task<(TensorLink Link, string JobId, string Peer)> AcceptAsync(TcpListener listener, ClusterCertificates tls)
    {
        var client = await listener.AcceptTcpClientAsync().WaitAsync(Timeout);
        return await TensorLink.AcceptAsync(client, Timeout, tls);
    }
}
