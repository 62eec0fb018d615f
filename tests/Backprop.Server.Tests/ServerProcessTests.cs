using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Backprop.Core.Tests.Data;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;
using Backprop.Server.Tests.Trainer;

namespace Backprop.Server.Tests;

/// <summary>The executable itself, in child processes talking over loopback.</summary>
public class ServerProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Server_WorkerJoinsCoordinatorThenSigterm_WorkerLeavesGracefullyAndBothExitZero()
    {
        var port = ServerProcess.FreePort();
        var coordinatorAddress = $"akka.tcp://backprop@127.0.0.1:{port}";

        // Both at once, as docker compose starts them: the worker retries its seed until the coordinator is up.
        using var coordinator = ServerProcess.Start(new Dictionary<string, string> { ["Cluster__Port"] = $"{port}" });
        using var worker = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Cluster__Port"] = "0",
            ["Cluster__Roles__0"] = "worker",
            ["Cluster__SeedNodes__0"] = coordinatorAddress,
        });
        var coordinatorStarted = await coordinator.WaitForLineAsync("Node started", StartTimeout);
        Assert.Contains($"roles coordinator, address {coordinatorAddress},", coordinatorStarted);
        var workerStarted = await worker.WaitForLineAsync("Node started", StartTimeout);
        Assert.Contains($"roles worker, address akka.tcp://backprop@127.0.0.1:", workerStarted);
        var workerAddress = workerStarted.Split("address ")[1].Split(',')[0];
        await worker.WaitForLineAsync($"Member up: {workerAddress} [worker] (this node)", StartTimeout);
        await coordinator.WaitForLineAsync($"Member up: {workerAddress} [worker]", StartTimeout);

        var stopping = Stopwatch.StartNew();
        worker.Terminate();
        Assert.Equal(BackpropServer.Stopped, await worker.WaitForExitAsync(StopTimeout));
        Assert.True(stopping.Elapsed < StopTimeout, $"the worker took {stopping.Elapsed} to stop");

        // Removed after Exiting: it left (a crashed node is Down first, and only after DownUnreachableAfter).
        await coordinator.WaitForLineAsync($"Member removed: {workerAddress} [worker], was Exiting", StopTimeout);
        Assert.Contains("Member leaving: ", worker.Output);
        Assert.Equal("", worker.Error);

        coordinator.Terminate();
        Assert.Equal(BackpropServer.Stopped, await coordinator.WaitForExitAsync(StopTimeout));
        Assert.Equal("", coordinator.Error);
    }

    [Fact]
    public async Task Server_BadRoleInEnvironment_ExitsTwoWithOneLineBeforeStarting()
    {
        using var server = ServerProcess.Start(new Dictionary<string, string> { ["Cluster__Port"] = "0", ["Cluster__Roles__0"] = "trainer" });

        Assert.Equal(BackpropServer.BadConfiguration, await server.WaitForExitAsync(StartTimeout));
        var line = Assert.Single(server.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("backprop-server: Cluster:Roles: unknown role 'trainer'; ", line);
        Assert.EndsWith("(environment variable Cluster__Roles)", line);
        Assert.Equal("", server.Output);
    }

    [Fact]
    public async Task Server_SecondCoordinatorOnAHeldDataRoot_ExitsTwoNamingTheHolderAndLeavesTheJobFilesAlone()
    {
        using var dataRoot = new TempDirectory();
        var store = new JobStore(new DataRoot(dataRoot.Path));
        var job = new JobRecord
        {
            JobId = "job-held",
            Request = TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4, name: "held"),
            Status = new JobStatus { JobId = "job-held", Name = "held", State = JobState.Queued, SubmittedUnixMs = 1 },
        };
        store.Save(job);
        var environment = new Dictionary<string, string> { ["Cluster__Port"] = "0", ["Trainer__DataRoot"] = dataRoot.Path };
        // A coordinator alone: it queues the stored job again and starts it, then waits for a worker, writing nothing more.
        using var first = ServerProcess.Start(environment);
        await first.WaitForLineAsync("Job job-held running", StartTimeout);
        var before = JobFiles(dataRoot.Path);

        // On its own port, so that only the lock can stop it.
        using var second = ServerProcess.Start(environment);

        Assert.Equal(BackpropServer.BadConfiguration, await second.WaitForExitAsync(StartTimeout));
        var line = Assert.Single(second.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"backprop-server: Trainer:DataRoot: '{dataRoot.Path}' is in use by another coordinator (pid {first.Id} on host {Environment.MachineName}, started ", line);
        Assert.EndsWith("); stop that one first, or give this node a data root of its own (environment variable Trainer__DataRoot)", line);
        Assert.Equal("", second.Output);
        Assert.Equal(before, JobFiles(dataRoot.Path));
        first.Terminate();
        Assert.Equal(BackpropServer.Stopped, await first.WaitForExitAsync(StopTimeout));
    }

    [Fact]
    public async Task Server_PortTaken_ExitsOneNamingThePortSetting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        using var server = ServerProcess.Start(new Dictionary<string, string> { ["Cluster__Port"] = $"{port}" });

        Assert.Equal(BackpropServer.Failed, await server.WaitForExitAsync(StartTimeout));
        var lastLine = server.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("backprop-server: the node did not start", lastLine);
        Assert.Contains("Cluster__Port", lastLine);
    }

    /// <summary>Every file under the data root's <c>jobs/</c>, by path, with its bytes.</summary>
    private static SortedDictionary<string, string> JobFiles(string dataRoot) =>
        new(Directory.EnumerateFiles(Path.Combine(dataRoot, DataRoot.JobsFolderName), "*", SearchOption.AllDirectories)
            .ToDictionary(path => path, path => Convert.ToBase64String(File.ReadAllBytes(path))), StringComparer.Ordinal);
}
