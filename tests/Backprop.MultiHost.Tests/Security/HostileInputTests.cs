using System.Globalization;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Security;

/// <summary>
/// Hostile input on every port of a training cluster, from a stranger's host on the same network: the coordinator's and
/// a worker's Akka port, the worker's tensor link port (also from a holder of a cluster certificate, for what lies
/// behind TLS), and the coordinator's gRPC port. Every connection is closed by the node, memory stays bounded, and the
/// job running meanwhile ends with the undisturbed weights.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    /// <summary>Connections of each kind, opened at once, per port.</summary>
    private const int Burst = 50;

    /// <summary>Lines the coordinator may log while the hostile connections last (its own job warnings included; 0-2 seen).</summary>
    private const int LogLineLimit = 40;

    /// <summary>Growth of a node's peak resident memory the hostile connections may cause.</summary>
    private const long PeakGrowthLimit = 256L << 20;

    [MultiHostFact]
    public async Task EveryPort_RandomTruncatedOversizedAndSilentConnections_AllClosedAndTheJobIsUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 8000), "hostile", untilStep: 5);
        var stranger = cluster.AddHost();
        var worker = cluster.Workers[0];
        var nodes = cluster.NodeProcesses.ToList();
        var peakBefore = nodes.ToDictionary(node => node.Name, node => PeakResidentBytes(node.Id));
        var coordinatorLines = cluster.Coordinator.LineCount;
        var random = new Random(15);
        HostilePort[] tlsPorts =
        [
            new("coordinator remoting", stranger, cluster.CoordinatorHost.Address, HostCluster.NodePort),
            new("worker remoting", stranger, worker.Host.Address, HostCluster.NodePort),
            new("worker tensor link", stranger, worker.Host.Address, HostCluster.TensorLinkPort),
        ];
        // The gRPC service listens on the coordinator's loopback; a stranger there is one that reached that port.
        var grpc = new HostilePort("coordinator gRPC", cluster.CoordinatorHost, "127.0.0.1", HostCluster.GrpcPort);
        using var insider = cluster.IssueCertificate("insider");
        var tensorLink = tlsPorts[2];

        // Every case against every port at once: 950 connections, as a stranger with a busy script would open them.
        var cases = tlsPorts.Append(grpc).SelectMany(port => new[]
        {
            HostileConnections.RandomBytesAsync(port, Burst, new Random(random.Next())),
            HostileConnections.OversizedLengthAsync(port, Burst, http2: port == grpc),
            HostileConnections.TruncatedAsync(port, Burst, http2: port == grpc),
            HostileConnections.SilentAsync(port, Burst),
        }).Concat(
        [
            HostileConnections.BehindTlsAsync(tensorLink, "TLS, then a 2 GiB job id", Burst, insider,
                HostileConnections.Handshake(int.MaxValue, "", "")),
            HostileConnections.BehindTlsAsync(tensorLink, "TLS, unknown job, 2^31-value frame", Burst, insider,
                [.. HostileConnections.Handshake(10, "no-such-jb", ""), .. HostileConnections.FrameHeader(int.MaxValue)]),
            HostileConnections.BehindTlsAsync(tensorLink, "TLS, the job, a frame over the model", Burst, insider,
                [.. HostileConnections.Handshake(run.Id.Length, run.Id, "insider"), .. HostileConnections.FrameHeader(100_000_000)]),
        ]);
        var tallies = await Task.WhenAll(cases);
        var stillTraining = !run.Watch.HasExited;
        var peakAfter = nodes.ToDictionary(node => node.Name, node => PeakResidentBytes(node.Id));
        var logLines = cluster.Coordinator.LineCount - coordinatorLines;
        await cluster.AssertUndisturbedAsync(run);

        output.WriteLine($"hostile connections: {tallies.Sum(t => t.Connections)} in all, each case {Burst} at once:");
        foreach (var tally in tallies)
        {
            output.WriteLine($"  {tally}");
        }

        foreach (var node in nodes)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {node.Name}: peak resident memory {peakBefore[node.Name] >> 20} MiB before, {peakAfter[node.Name] >> 20} MiB after"));
        }

        output.WriteLine($"  coordinator log: {logLines} lines meanwhile; crashes: {nodes.Count(node => node.HasExited)}; job still training at the end: {stillTraining}");
        Assert.All(nodes, node => Assert.False(node.HasExited, $"{node.Name} exited"));
        Assert.True(stillTraining, "the job ended before the hostile connections did: make it longer");
        Assert.All(tallies, tally => Assert.True(tally.ClosedByNode == tally.Connections, $"{tally}"));
        Assert.True(logLines < LogLineLimit, $"the coordinator logged {logLines} lines meanwhile\n{cluster.Coordinator.Tail(30)}");
        Assert.All(nodes, node => Assert.True(peakAfter[node.Name] - peakBefore[node.Name] < PeakGrowthLimit,
            $"{node.Name}: peak resident memory grew from {peakBefore[node.Name] >> 20} to {peakAfter[node.Name] >> 20} MiB"));
    }

    /// <summary>The process's peak resident set (VmHWM), in bytes.</summary>
    private static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
