using Akka.Actor;
using Backprop.Cluster.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Backprop.Server.Tests;

public class BackpropServerTests
{
    [Theory]
    [InlineData("Port", "70000", "Cluster:Port", "Cluster__Port", "0..65535")]
    [InlineData("Port", "abc", "Cluster:Port", "Cluster__Port", "'abc' is not a whole number")]
    [InlineData("Roles:0", "trainer", "Cluster:Roles", "Cluster__Roles", "unknown role 'trainer'")]
    [InlineData("Roles", "worker", "Cluster:Roles", "Cluster__Roles", "is a list, got the single value 'worker'; set one item per key, e.g. Cluster__Roles__0=worker")]
    [InlineData("Roles:first", "worker", "Cluster:Roles:first", "Cluster__Roles__first", "must be its index; e.g. Cluster__Roles__0")]
    [InlineData("SeedNodes:0", "backprop@coordinator:4053", "Cluster:SeedNodes:0", "Cluster__SeedNodes__0", "akka.tcp://backprop@HOST:PORT")]
    [InlineData("SeedNodes:0", "akka.tcp://other@coordinator:4053", "Cluster:SeedNodes:0", "Cluster__SeedNodes__0", "not a seed address")]
    [InlineData("SeedNodes:0", "akka.tcp://backprop@coordinator", "Cluster:SeedNodes:0", "Cluster__SeedNodes__0", "not a seed address")]
    [InlineData("Hostname", "", "Cluster:Hostname", "Cluster__Hostname", "address to listen on")]
    [InlineData("WorkerThreads", "-1", "Cluster:WorkerThreads", "Cluster__WorkerThreads", "≥ 0")]
    [InlineData("ChunkBytes", "1024", "Cluster:ChunkBytes", "Cluster__ChunkBytes", "4096..")]
    [InlineData("ChunkBytes", "99999999999", "Cluster:ChunkBytes", "Cluster__ChunkBytes", "not a whole number")]
    [InlineData("TensorLinkPort", "70000", "Cluster:TensorLinkPort", "Cluster__TensorLinkPort", "0..65535")]
    [InlineData("MinWorkers", "0", "Cluster:MinWorkers", "Cluster__MinWorkers", "≥ 1")]
    [InlineData("MaxConcurrentJobs", "0", "Cluster:MaxConcurrentJobs", "Cluster__MaxConcurrentJobs", "≥ 1")]
    [InlineData("DownUnreachableAfter", "00:00:00", "Cluster:DownUnreachableAfter", "Cluster__DownUnreachableAfter", "positive")]
    [InlineData("DownUnreachableAfter", "20s", "Cluster:DownUnreachableAfter", "Cluster__DownUnreachableAfter", "hh:mm:ss")]
    [InlineData("Rolse:0", "worker", "Cluster:Rolse", "Cluster__Rolse", "unknown setting")]
    [InlineData("Port:0", "4053", "Cluster:Port", "Cluster__Port", "single value")]
    public async Task RunAsync_BadValue_ExitsTwoWithOneLineNamingKeyAndVariable(
        string key, string value, string configurationKey, string environmentVariable, string problem)
    {
        var error = new StringWriter();

        // Bounded: a value that passed the checks would start a node and run until stopped.
        var exitCode = await BackpropServer.RunAsync([$"--Cluster:{key}={value}"], error).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BackpropServer.BadConfiguration, exitCode);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith($"backprop-server: {configurationKey}: ", line);
        Assert.Contains($"(environment variable {environmentVariable}", line);
        Assert.Contains(problem, line);
    }

    private static async Task<T> BuiltService<T>(params string[] args)
        where T : notnull
    {
        var builder = BackpropServer.CreateBuilder(["--Cluster:Tls:Enabled=false", .. args]);
        await using var app = BackpropServer.Build(builder, ServerConfiguration.Read(builder.Configuration));
        return app.Services.GetRequiredService<T>();
    }

    [Fact]
    public async Task Build_NoHttpEndpointConfigured_ListensNowhere() =>
        Assert.IsType<NoHttpServer>(await BuiltService<IServer>("--Cluster:Port=0"));

    [Fact]
    public async Task Build_UrlsConfigured_UsesKestrel() =>
        Assert.IsNotType<NoHttpServer>(await BuiltService<IServer>("--Cluster:Port=0", "--urls=http://127.0.0.1:0"));

    [Fact]
    public async Task Build_Always_GivesServicesTwentySecondsToStop() =>
        Assert.Equal(TimeSpan.FromSeconds(20), (await BuiltService<IOptions<HostOptions>>("--Cluster:Port=0")).Value.ShutdownTimeout);

    [Fact]
    public void StartFailure_RemotingCouldNotBind_NamesTheCauseAndThePortSetting()
    {
        var bind = new Akka.Remote.RemoteTransportException("Failed to bind", new System.Net.Sockets.SocketException(98));

        var message = BackpropServer.StartFailure(new AggregateException(new AggregateException(bind)));

        Assert.StartsWith("remoting could not listen (", message);
        Assert.EndsWith("(environment variables Cluster__Hostname, Cluster__Port)", message);
    }

    [Fact]
    public void StartFailure_OtherError_IsItsInnermostMessage() =>
        Assert.Equal("disk full", BackpropServer.StartFailure(new InvalidOperationException("outer", new IOException("disk full"))));

    [Fact]
    public void ExitCodeFor_NodeDowned_IsFailed() =>
        Assert.Equal(BackpropServer.Failed, BackpropServer.ExitCodeFor(CoordinatedShutdown.ClusterDowningReason.Instance));

    [Fact]
    public void ExitCodeFor_JoinUnsuccessful_IsFailed() =>
        Assert.Equal(BackpropServer.Failed, BackpropServer.ExitCodeFor(CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance));

    [Fact]
    public void ExitCodeFor_WorkerLeftAClusterWithoutCoordinator_IsFailed() =>
        Assert.Equal(BackpropServer.Failed, BackpropServer.ExitCodeFor(CoordinatorLostReason.Instance));

    [Fact]
    public void ExitCodeFor_ProcessStopped_IsStopped() =>
        Assert.Equal(BackpropServer.Stopped, BackpropServer.ExitCodeFor(CoordinatedShutdown.ClrExitReason.Instance));

    [Fact]
    public void ExitCodeFor_LeftTheCluster_IsStopped() =>
        Assert.Equal(BackpropServer.Stopped, BackpropServer.ExitCodeFor(CoordinatedShutdown.ClusterLeavingReason.Instance));

    [Fact]
    public void ExitCodeFor_NoShutdownRan_IsStopped() =>
        Assert.Equal(BackpropServer.Stopped, BackpropServer.ExitCodeFor(null));
}
