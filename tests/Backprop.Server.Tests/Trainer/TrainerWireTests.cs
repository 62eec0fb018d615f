using Backprop.Protocol.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using TrainerGrpc = Backprop.Protocol.V1.Trainer;

namespace Backprop.Server.Tests.Trainer;

/// <summary>
/// A node with <c>Trainer:Token</c> set, called by a client that knows only the wire: the token is checked before the
/// body is read, a body that does not decode is the client's fault, and neither can fill the log.
/// </summary>
public sealed class TrainerWireTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private const int FailuresPerAddress = 4;
    private const int StatusInvalidArgument = (int)StatusCode.InvalidArgument;
    private const int StatusUnauthenticated = (int)StatusCode.Unauthenticated;
    private const int StatusResourceExhausted = (int)StatusCode.ResourceExhausted;
    private static readonly string Service = $"/{TrainerGrpc.Descriptor.FullName}/";
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-wire-").FullName;
    private readonly CapturedLog _log = new();
    private TrainerServer _server = null!;
    private RawGrpcClient _wire = null!;

    public async Task InitializeAsync()
    {
        _server = await TrainerServer.StartAsync(
            _dataRoot,
            _log,
            $"Trainer:Token={Token}",
            $"Trainer:AuthFailuresPerAddress={FailuresPerAddress}",
            // Longer than any test, so that no window ends in the middle of one.
            "Trainer:AuthFailureWindow=01:00:00",
            // As appsettings.json has it: the log a deployment writes.
            "Logging:LogLevel:Default=Information");
        _wire = new RawGrpcClient(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _wire.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dataRoot, recursive: true);
    }

    public static TheoryData<string> Methods => new() { "SubmitJob", "UploadDataset" };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task UndecodableBody_WithoutTheToken_IsUnauthenticatedInOneLine(string method)
    {
        var mark = _log.Count;

        var status = await _wire.CallAsync(Service + method, RawGrpcClient.Frame(RawGrpcClient.Garbage));

        Assert.Equal(StatusUnauthenticated, status);
        var line = Assert.Single(CallLines(mark));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("no bearer token", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Call_WithoutTheToken_IsRefusedBeforeItsBodyArrives(string method)
    {
        using var stalled = new StalledFrameContent();

        // The body announces a megabyte and never sends it: decoding first would wait for it until the client gave up.
        var status = await _wire.CallAsync(Service + method, stalled).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StatusUnauthenticated, status);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task UndecodableBody_WithTheToken_IsInvalidArgumentInAtMostOneLine(string method)
    {
        var mark = _log.Count;

        var status = await _wire.CallAsync(Service + method, RawGrpcClient.Frame(RawGrpcClient.Garbage), Token);

        Assert.Equal(StatusInvalidArgument, status);
        var lines = CallLines(mark);
        Assert.True(lines.Count <= 1, $"{lines.Count} lines about one call: {string.Join(" | ", lines)}");
        Assert.All(lines, line => Assert.DoesNotContain("   at ", line.Text, StringComparison.Ordinal));
        Assert.Empty((await _server.Client(Token).ListJobsAsync(new ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task RepeatedFailures_FromOneAddress_AreThrottledWithoutLogLines()
    {
        var mark = _log.Count;
        var statuses = new List<int>();

        for (var call = 0; call < FailuresPerAddress + 3; call++)
        {
            statuses.Add(await _wire.CallAsync(Service + "SubmitJob", RawGrpcClient.Frame(RawGrpcClient.Garbage), token: call % 2 == 0 ? null : "wrong"));
        }

        Assert.Equal([.. Enumerable.Repeat(StatusUnauthenticated, FailuresPerAddress), .. Enumerable.Repeat(StatusResourceExhausted, 3)], statuses);
        Assert.Equal(FailuresPerAddress, CallLines(mark).Count);
        // The address is throttled only for calls without the token: calls with it, and health checks, are served.
        Assert.Empty((await _server.Client(Token).ListJobsAsync(new ListJobsRequest())).Jobs);
        var throttled = await Assert.ThrowsAsync<RpcException>(async () => await _server.Client().ListJobsAsync(new ListJobsRequest()));
        Assert.Equal(StatusCode.ResourceExhausted, throttled.StatusCode);
        var health = await new Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task HealthCheck_OverTheWireWithoutTheToken_IsServed()
    {
        var status = await _wire.CallAsync("/grpc.health.v1.Health/Check", RawGrpcClient.Frame([]));

        Assert.Equal((int)StatusCode.OK, status);
    }

    /// <summary>
    /// The lines written about calls since <paramref name="mark"/>: the cluster's own (Akka's, the membership log's)
    /// go on in the background whatever the calls do.
    /// </summary>
    private List<CapturedLine> CallLines(int mark) =>
        [.. _log.Since(mark).Where(line => !line.Category.StartsWith("Akka", StringComparison.Ordinal) && !line.Category.StartsWith("backprop-server", StringComparison.Ordinal))];
}
