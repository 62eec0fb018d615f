using Backprop.Protocol.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace Backprop.Server.Tests.Trainer;

/// <summary>A node with <c>Trainer:Token</c> set: calls need the bearer token, health checks do not.</summary>
public sealed class TrainerAuthenticationTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-auth-").FullName;
    private TrainerServer _server = null!;

    public async Task InitializeAsync() => _server = await TrainerServer.StartAsync(_dataRoot, $"Trainer:Token={Token}");

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dataRoot, recursive: true);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("s3cret-token-but-longer")]
    public async Task AnyCall_WithoutTheToken_IsUnauthenticated(string? token)
    {
        var client = _server.Client(token);

        var list = await Assert.ThrowsAsync<RpcException>(async () => await client.ListJobsAsync(new ListJobsRequest()));
        var submit = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor)));
        var watch = await Assert.ThrowsAsync<RpcException>(() => client.WatchToEndAsync("job-x"));

        Assert.All([list, submit, watch], error => Assert.Equal(StatusCode.Unauthenticated, error.StatusCode));
        Assert.Empty((await _server.Client(Token).ListJobsAsync(new ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task Calls_WithTheToken_AreServed()
    {
        var client = _server.Client(Token);

        var jobId = (await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4))).JobId;

        Assert.Equal(JobState.Succeeded, (await client.WatchToEndAsync(jobId))[^1].Job.State);
    }

    [Fact]
    public async Task HealthCheck_WithoutTheToken_IsServed()
    {
        var response = await new Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }
}
