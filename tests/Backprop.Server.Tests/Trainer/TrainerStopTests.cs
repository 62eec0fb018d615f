using Backprop.Protocol.V1;
using Grpc.Core;

namespace Backprop.Server.Tests.Trainer;

/// <summary>A coordinator that stops while clients watch its jobs.</summary>
public sealed class TrainerStopTests : IAsyncLifetime
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-stop-").FullName;
    private TrainerServer _server = null!;

    public async Task InitializeAsync() => _server = await TrainerServer.StartAsync(_dataRoot);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dataRoot, recursive: true);
    }

    [Fact]
    public async Task Stop_WhileAJobIsWatched_EndsTheWatchWithUnavailableInsteadOfHoldingTheShutdown()
    {
        var client = _server.Client();
        var jobId = (await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1_000_000, batchSize: 4))).JobId;
        using var watch = client.WatchJob(new WatchJobRequest { JobId = jobId });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None), "the watch sent nothing");

        var stopped = _server.StopAsync();
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        await stopped;

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("the coordinator is stopping", ended.Status.Detail, StringComparison.Ordinal);
    }
}
