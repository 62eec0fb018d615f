using System.Diagnostics;
using System.Globalization;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Scaling;

/// <summary>
/// Issue 13's measurements, every node in its own network-namespace host: the bytes through the busiest node per step
/// (each host's link counters), at W = 1, 2, 4 and 8 workers of one thread each; and the step time at W = 2 and 4 with
/// every link shaped to 200 Mbit/s. Model: MNIST 784-512-512-10 (669,706 parameters), batch 512 in shards of 64.
/// Run with <c>BACKPROP_SCALING=1 dotnet test tests/Backprop.MultiHost.Tests -c Release --filter FullyQualifiedName~ScalingBenchmarks
/// --logger "console;verbosity=detailed"</c>; the figures are in docs/performance.md.
/// </summary>
public sealed class ScalingBenchmarks(ITestOutputHelper output)
{
    private const int Parameters = 669_706;

    /// <summary>Steps timed: from the end of the first (θ whole to every worker, the JIT's first pass) to the last.</summary>
    private const int FirstTimedStep = 2;

    private static readonly TrainingJob Job = new(Epochs: 2, Hidden: "512,512", BatchSize: 512, ShardSize: 64, Data: "mnist");

    private static int TimedSteps => Job.TotalSteps - FirstTimedStep;

    [ScalingFact]
    public async Task BusiestNode_OneToEightWorkers_BytesPerStepStayNearTwiceTheModel()
    {
        var rows = new List<string>();
        foreach (var workers in new[] { 1, 2, 4, 8 })
        {
            var (busiest, node, stepSeconds) = await MeasureAsync(workers, shapedRate: null);
            rows.Add($"| {workers} | {Ratio(busiest)} | {node} | {stepSeconds * 1000:F0} ms |");
        }

        output.WriteLine("| workers | busiest node ÷ 4·P per step (max of rx, tx) | busiest node | step time |");
        output.WriteLine("|---:|---:|---|---:|");
        rows.ForEach(output.WriteLine);
    }

    [ScalingFact]
    public async Task StepTime_LinksAt200Mbit_FourWorkersWithinTwentyPercentOfTwo()
    {
        var rows = new List<string>();
        var times = new Dictionary<int, double>();
        foreach (var workers in new[] { 2, 4 })
        {
            var (busiest, node, stepSeconds) = await MeasureAsync(workers, shapedRate: "200mbit");
            times[workers] = stepSeconds;
            rows.Add($"| {workers} | {stepSeconds * 1000:F0} ms | {Ratio(busiest)} ({node}) |");
        }

        output.WriteLine("| workers (links at 200 Mbit/s) | step time | busiest node ÷ 4·P |");
        output.WriteLine("|---:|---:|---:|");
        rows.ForEach(output.WriteLine);
        output.WriteLine($"step time at 4 workers ÷ at 2: {times[4] / times[2]:F2} (target ≤ 1.20)");
    }

    /// <summary>
    /// Runs <see cref="Job"/> on a fresh cluster of <paramref name="workers"/>; returns the busiest host's bytes and the mean
    /// step time over the timed steps (the counters are read as the watch shows their first and last step: a step's
    /// worth of skew at most).
    /// </summary>
    private async Task<(double Busiest, string Node, double StepSeconds)> MeasureAsync(int workers, string? shapedRate)
    {
        using var cluster = await HostCluster.StartAsync(output, workers);
        var hosts = cluster.Workers.Select(worker => (Name: worker.Name, worker.Host)).Prepend((Name: "coordinator", Host: cluster.CoordinatorHost)).ToList();
        if (shapedRate is not null)
        {
            // tbf needs a bucket of at least the bytes a kernel tick lets through: 200 Mbit/s at 250 Hz is 100 kB.
            hosts.ForEach(host => Faults.SlowLink(host.Host, shapedRate, burst: "1mbit"));
        }

        var (watch, _) = await cluster.SubmitAndWatchAsync(Job, $"scaling-{workers}");
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(FirstTimedStep), $"step {FirstTimedStep}", HostCluster.JobTimeout);
        var before = hosts.Select(host => host.Host.Traffic()).ToList();
        var clock = Stopwatch.StartNew();
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(Job.TotalSteps), $"step {Job.TotalSteps}", HostCluster.JobTimeout);
        var stepSeconds = clock.Elapsed.TotalSeconds / TimedSteps;
        var after = hosts.Select(host => host.Host.Traffic()).ToList();
        await HostCluster.AssertSucceededAsync(watch);

        var perHost = hosts.Select((host, i) => (host.Name, Bytes: Math.Max(after[i].Received - before[i].Received, after[i].Sent - before[i].Sent))).ToList();
        var busiest = perHost.MaxBy(host => host.Bytes);
        output.WriteLine($"{workers} workers{(shapedRate is null ? "" : $", links at {shapedRate}")}: " +
            string.Join(", ", perHost.Select(host => $"{host.Name} {Ratio(host.Bytes)}")) + $" × 4·P per step; step {stepSeconds * 1000:F0} ms");
        if (shapedRate is not null)
        {
            hosts.ForEach(host => Faults.RestoreLink(host.Host));
        }

        return (busiest.Bytes, busiest.Name, stepSeconds);
    }

    private static string Ratio(double bytes) => (bytes / TimedSteps / (4.0 * Parameters)).ToString("F2", CultureInfo.InvariantCulture);
}
