using Backprop.Protocol.V1;
using Grpc.Core;

namespace Backprop.Server.Tests.Trainer;

/// <summary>Two coordinator nodes: only the one running the job manager (the oldest) takes submissions.</summary>
public sealed class TrainerSecondCoordinatorTests : IDisposable
{
    private readonly string _firstRoot = Directory.CreateTempSubdirectory("backprop-first-").FullName;
    private readonly string _secondRoot = Directory.CreateTempSubdirectory("backprop-second-").FullName;

    public void Dispose()
    {
        Directory.Delete(_firstRoot, recursive: true);
        Directory.Delete(_secondRoot, recursive: true);
    }

    [Fact]
    public async Task SubmitJob_OnTheYoungerCoordinator_IsRefusedNamingTheOneWithTheJobManager()
    {
        await using var first = await TrainerServer.StartAsync(_firstRoot);
        await using var second = await TrainerServer.StartAsync(_secondRoot, $"Cluster:SeedNodes:0={first.ClusterAddress}");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await second.Client().SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4)));
        var accepted = await first.Client().SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.StartsWith("job: this coordinator does not run the job manager", error.Status.Detail);
        Assert.Contains(new Uri(first.ClusterAddress.Replace("akka.tcp", "tcp", StringComparison.Ordinal)).Host, error.Status.Detail);
        Assert.Empty((await second.Client().ListJobsAsync(new ListJobsRequest())).Jobs);
        Assert.Equal(JobState.Succeeded, (await first.Client().WatchToEndAsync(accepted.JobId))[^1].Job.State);
    }
}
