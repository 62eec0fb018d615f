using Backprop.Protocol.V1;
using Grpc.Core;

namespace Backprop.Cli.Tests.Remote;

public class RemoteErrorTests
{
    [Fact]
    public void Token_Given_IsSentAsABearerHeader()
    {
        using var server = new FakeTrainerServer();

        Assert.Equal(0, server.Run("jobs", "--token", "s3cret").ExitCode);

        Assert.Equal("Bearer s3cret", Assert.Single(server.Trainer.Authorizations));
    }

    [Fact]
    public void Token_NotGiven_SendsNoHeader()
    {
        using var server = new FakeTrainerServer();

        Assert.Equal(0, server.Run("cancel", "job-1").ExitCode);

        Assert.Equal(string.Empty, Assert.Single(server.Trainer.Authorizations));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Unauthenticated)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.AlreadyExists)]
    public void Rpc_RejectedRequest_IsBadInputWithTheServersDetail(StatusCode status)
    {
        using var server = new FakeTrainerServer();
        server.Trainer.Failure = new RpcException(new Status(status, "training.batch_size: must be > 0"));

        var run = server.Run("submit", "--data", "xor");

        run.AssertBadInput("backprop: training.batch_size: must be > 0");
    }

    [Fact]
    public void Rpc_Unavailable_IsAFailureSayingTheServerCannotBeReached()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.Failure = new RpcException(new Status(StatusCode.Unavailable, "draining"));

        var run = server.Run("jobs");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"backprop: cannot reach {server.Url}: draining", run.Error.Trim());
    }

    [Fact]
    public void Rpc_Internal_IsAServerError()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.Failure = new RpcException(new Status(StatusCode.Internal, "boom"));

        var run = server.Run("watch", "job-1");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("backprop: server error: boom", run.Error.Trim());
    }

    [Fact]
    public void Rpc_NoServerListening_IsAFailure()
    {
        string url;
        using (var server = new FakeTrainerServer())
        {
            url = server.Url;
        }

        var run = CliRun.Of("jobs", "--server", url);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"backprop: cannot reach {url}", run.Error.Trim());
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void Server_NotAUrl_IsBadInput()
    {
        CliRun.Of("jobs", "--server", "localhost:5000").AssertBadInput("--server", "localhost:5000");
    }

    [Fact]
    public void Rpc_UploadRejected_IsBadInput()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        server.Trainer.Failure = new RpcException(new Status(StatusCode.ResourceExhausted, "uploads: quota of 1 GiB reached"));

        var run = server.Run("upload", dir.File("a.csv", "1,0\n"));

        run.AssertBadInput("uploads: quota of 1 GiB reached");
    }
}
