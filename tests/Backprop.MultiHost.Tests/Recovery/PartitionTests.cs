using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// A worker cut off (iptables DROP both ways) for longer than the downing timeout: the majority downs it and the job
/// goes on without it; the cut-off node downs itself and exits, and its restart policy starts it again, still cut off;
/// once healed, it joins and takes blocks again.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task PartitionWorker_PastDowningThenHealAndRestart_WorkerRejoinsAndWeightsAreUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 3);
        var victim = cluster.Workers[^1];
        var cutOff = victim.Process;
        // Long enough (6,000 steps) that the cut is detected mid-job even when steps run fast and the watch lags behind.
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 2000), "partition", untilStep: 20);

        var mark = run.Watch.LineCount;
        var clock = Stopwatch.StartNew();
        Faults.Partition(victim.Host);
        var left = await run.Watch.WaitForLineAsync(WatchOutput.Left(victim), $"{victim.Name} leaving", HostCluster.JobTimeout, mark);
        var dropped = clock.Elapsed;
        await run.Watch.WaitForLineAsync(WatchOutput.IsProgress, "a step after the drop", HostCluster.JobTimeout, left.Next);
        var stepped = clock.Elapsed;
        await cluster.Coordinator.WaitForLineAsync($"Member downed: {victim.Address}", HostCluster.JobTimeout);
        var downed = clock.Elapsed;
        // A downed node cannot rejoin: it downs itself on its side of the partition and exits with 1. Its restart keeps
        // trying to join until the heal.
        Assert.Equal(1, await cutOff.WaitForExitAsync(HostCluster.JobTimeout));
        var exited = clock.Elapsed;

        Faults.Heal(victim.Host);
        await cluster.WaitForRestartAsync(victim, cutOff);
        var rejoined = clock.Elapsed;
        await cluster.AssertUndisturbedAsync(run);
        var finished = clock.Elapsed;
        // The restarted node takes blocks again: in the next job, which starts once all three are ready (how fast this one
        // runs decides whether it still joins it).
        var next = await cluster.StartJobAsync(new TrainingJob(Epochs: 20, Seed: 2), "after-partition", untilStep: 1);
        var joined = await next.Watch.WaitForLineAsync(WatchOutput.Joined(victim), $"{victim.Name} joining", HostCluster.JobTimeout);
        var withIt = await next.Watch.WaitForLineAsync(WatchOutput.StepOn(workers: 3), "a step on 3 workers", HostCluster.JobTimeout, joined.Next);
        await cluster.AssertUndisturbedAsync(next);

        output.WriteLine($"partition of {victim.Name} at step 20/{run.Job.TotalSteps}: dropped from the job after {dropped.TotalSeconds:F1} s, " +
            $"next step done after {stepped.TotalSeconds:F1} s, downed after {downed.TotalSeconds:F1} s, exited after {exited.TotalSeconds:F1} s; " +
            $"restarted by its policy and healed, member up after {rejoined.TotalSeconds:F1} s; job succeeded after {finished.TotalSeconds:F1} s (model fetched); " +
            $"weights identical; next job: {joined.Text}, then {withIt.Text}; weights identical");
    }
}
