using System.Net;
using System.Net.Sockets;
using Backprop.Cluster.Transfer;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Transfer;

/// <summary>A tensor link over a real loopback connection.</summary>
public sealed class TensorLinkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Link_FramesBothWays_ArriveWithTheirHeaderAndBits_ThenClosing_IsReported()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync();
        using var coordinator = TensorLink.Connect($"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "job-7", Timeout);
        var (worker, jobId) = TensorLink.Accept(await accepting.WaitAsync(Timeout));
        var pool = new TensorBufferPool(1000);
        var toWorker = new TaskCompletionSource<(TensorFrameHeader, float[])>();
        var toCoordinator = new TaskCompletionSource<(TensorFrameHeader, float[])>();
        var closed = new TaskCompletionSource<string>();
        worker.StartReading(pool, (h, v) => toWorker.TrySetResult((h, v)), _ => { });
        coordinator.StartReading(pool, (h, v) => toCoordinator.TrySetResult((h, v)), reason => closed.TrySetResult(reason));
        var theta = Values(1000, seed: 1);
        var sums = Values(1000, seed: 2);
        var thetaHeader = new TensorFrameHeader(41, 0, 0, 0, 0, 0, 1000, TensorChecksum.Of(theta));
        var sumsHeader = new TensorFrameHeader(41, 2, 4, 128, 3.5, 0.01, 1000, TensorChecksum.Of(sums));

        coordinator.Send(thetaHeader, theta);
        worker.Send(sumsHeader, sums);
        var (gotThetaHeader, gotTheta) = await toWorker.Task.WaitAsync(Timeout);
        var (gotSumsHeader, gotSums) = await toCoordinator.Task.WaitAsync(Timeout);
        worker.Dispose();

        Assert.Equal("job-7", jobId);
        Assert.Equal(thetaHeader, gotThetaHeader);
        Assert.Equal(theta, gotTheta);
        Assert.Equal(sumsHeader, gotSumsHeader);
        Assert.Equal(sums, gotSums);
        Assert.NotNull(await closed.Task.WaitAsync(Timeout));
    }

    [Fact]
    public void Connect_NotHostAndPort_Refused() =>
        Assert.Throws<ArgumentException>(() => TensorLink.Connect("no-port", "job", Timeout));

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
    }
}
