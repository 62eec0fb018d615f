using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Backprop.Cluster.Transfer;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Transfer;

/// <summary>A tensor link over a real loopback connection.</summary>
public sealed class TensorLinkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Far more than loopback's socket buffers hold (a few MB each way), so its write stalls on a peer that does not read.</summary>
    private const int LargeTensor = 8_000_000;

    [Fact]
    public async Task Link_FramesBothWays_ArriveWithTheirHeaderSliceAndBits_ThenClosing_IsReported()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync();
        using var coordinator = await TensorLink.ConnectAsync($"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "job-7", Timeout, Timeout);
        var (worker, jobId, _) = (await TensorLink.AcceptAsync(await accepting.WaitAsync(Timeout), Timeout));
        var pool = new TensorBufferPool(1000);
        var toWorker = new TaskCompletionSource<(TensorFrameHeader, float[])>();
        var toCoordinator = new TaskCompletionSource<(TensorFrameHeader, float[])>();
        var closed = new TaskCompletionSource<string>();
        var released = new TaskCompletionSource();
        worker.Start(pool, (h, v) => toWorker.TrySetResult((h, v)), _ => { }, acceptSlices: true);
        coordinator.Start(pool, (h, v) => toCoordinator.TrySetResult((h, v)), reason => closed.TrySetResult(reason), acceptSlices: true);
        var theta = Values(1000, seed: 1);
        var sums = Values(1000, seed: 2);
        var thetaHeader = new TensorFrameHeader(41, 0, 0, 0, 0, 0, 0, 1000, TensorChecksum.Of(theta));
        var sliceHeader = new TensorFrameHeader(41, 2, 4, 128, 3.5, 0.01, 600, 250, TensorChecksum.Of(sums.AsSpan(600, 250)));

        Assert.True(coordinator.TrySend(thetaHeader, theta, released.SetResult, out _));
        Assert.True(worker.TrySend(sliceHeader, sums.AsMemory(600, 250), () => { }, out _));
        var (gotThetaHeader, gotTheta) = await toWorker.Task.WaitAsync(Timeout);
        var (gotSliceHeader, gotSlice) = await toCoordinator.Task.WaitAsync(Timeout);
        await released.Task.WaitAsync(Timeout);
        worker.Dispose();

        Assert.Equal("job-7", jobId);
        Assert.Equal(thetaHeader, gotThetaHeader);
        Assert.Equal(theta, gotTheta);
        Assert.Equal(sliceHeader, gotSliceHeader);
        Assert.Equal(sums[600..850], gotSlice);
        Assert.NotNull(await closed.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Start_WholeTensorsOnly_ASliceClosesTheLinkNamingItsValues()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync();
        using var sender = await TensorLink.ConnectAsync($"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "job-7", Timeout, Timeout);
        using var receiver = (await TensorLink.AcceptAsync(await accepting.WaitAsync(Timeout), Timeout)).Link;
        var received = 0;
        var closed = new TaskCompletionSource<string>();
        sender.Start(new TensorBufferPool(1000), (_, _) => { }, _ => { });
        receiver.Start(new TensorBufferPool(1000), (_, _) => Interlocked.Increment(ref received), reason => closed.TrySetResult(reason));
        var sums = Values(1000, seed: 2);

        Assert.True(sender.TrySend(new TensorFrameHeader(41, 2, 4, 128, 3.5, 0.01, 600, 250, TensorChecksum.Of(sums.AsSpan(600, 250))), sums.AsMemory(600, 250), () => { }, out _));

        Assert.Equal("a frame of values [600, 850) where whole tensors were expected", await closed.Task.WaitAsync(Timeout));
        Assert.Equal(0, received);
    }

    [Fact]
    public async Task TrySend_PeerNeverReads_ReturnsAtOnceThenFailsWithinTheSendTimeoutAndReleasesTheBuffer()
    {
        using var peer = new SilentPeer();
        var sendTimeout = TimeSpan.FromMilliseconds(500);
        using var link = await TensorLink.ConnectAsync(peer.Endpoint, "job", Timeout, sendTimeout);
        var closed = new TaskCompletionSource<string>();
        var released = new TaskCompletionSource();
        link.Start(new TensorBufferPool(LargeTensor), (_, _) => { }, reason => closed.TrySetResult(reason));
        var theta = new float[LargeTensor];

        var clock = Stopwatch.StartNew();
        var queued = link.TrySend(new TensorFrameHeader(3, 0, 0, 0, 0, 0, 0, LargeTensor, 0), theta, released.SetResult, out _);
        // Returning at once means returning before the send timeout closed the link (no wall-clock bound: CI is slow).
        var closedWhenQueued = closed.Task.IsCompleted;
        var reason = await closed.Task.WaitAsync(Timeout);
        var failedAfter = clock.Elapsed;
        await released.Task.WaitAsync(Timeout);

        Assert.True(queued);
        Assert.False(closedWhenQueued, "TrySend waited for the send to fail instead of queueing the frame");
        Assert.InRange(failedAfter, sendTimeout - TimeSpan.FromMilliseconds(50), sendTimeout + TimeSpan.FromSeconds(2));
        Assert.Contains("the frame of step 3", reason);
        Assert.Contains("was not sent within 00:00:00.5", reason);
        Assert.False(link.TrySend(new TensorFrameHeader(4, 0, 0, 0, 0, 0, 0, 1, 0), new float[1], () => { }, out var failure));
        Assert.Equal(reason, failure);
    }

    [Fact]
    public async Task TrySend_QueueFull_ClosesTheLinkInsteadOfWaitingAndReleasesEveryQueuedBuffer()
    {
        using var peer = new SilentPeer();
        using var link = await TensorLink.ConnectAsync(peer.Endpoint, "job", Timeout, Timeout);
        var closed = new TaskCompletionSource<string>();
        link.Start(new TensorBufferPool(LargeTensor), (_, _) => { }, reason => closed.TrySetResult(reason));
        var theta = new float[LargeTensor];
        var releases = 0;
        var accepted = 0;
        string? failure = null;

        for (var i = 0; i < TensorLink.SendQueueCapacity + 2 && failure is null; i++)
        {
            if (link.TrySend(new TensorFrameHeader(i, 0, 0, 0, 0, 0, 0, LargeTensor, 0), theta, () => Interlocked.Increment(ref releases), out failure))
            {
                accepted++;
            }
        }

        var reason = await closed.Task.WaitAsync(Timeout);
        Assert.Contains($"{TensorLink.SendQueueCapacity} frames wait to be sent", reason);
        Assert.Equal(reason, failure);
        Assert.InRange(accepted, TensorLink.SendQueueCapacity, TensorLink.SendQueueCapacity + 1);
        await WaitUntil(() => Volatile.Read(ref releases) == accepted);
    }

    [Fact]
    public async Task ConnectAsync_EndpointBlackholed_GivesUpAfterTheConnectTimeout()
    {
        using var blackhole = new Blackhole();
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TensorLink.ConnectAsync(blackhole.Endpoint, "job", TimeSpan.FromMilliseconds(300), Timeout));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task ConnectAsync_NotHostAndPort_Refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => TensorLink.ConnectAsync("no-port", "job", Timeout, Timeout));

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Timeout, "the condition did not hold in time");
            await Task.Delay(10);
        }
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];
    }
}
