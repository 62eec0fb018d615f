using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// A worker cut off (iptables DROP both ways) for longer than the downing timeout: the majority downs it and the job
/// goes on without it; the cut-off node downs itself and exits; once healed and restarted, it joins the job again.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task PartitionWorker_PastDowningThenHealAndRestart_WorkerRejoinsAndWeightsAreUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 3);
        // Long enough (about 30 s undisturbed here) to outlast the downing, the node's restart and its join.
        var job = new TrainingJob(Epochs: 2000);
        var victim = cluster.Workers[^1];
        var reference = await cluster.TrainReferenceAsync(job, "partition");
        var (watch, jobId) = await cluster.SubmitAndWatchAsync(job, "partition");
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(20), "step 20", HostCluster.JobTimeout);

        var mark = watch.LineCount;
        var clock = Stopwatch.StartNew();
        Faults.Partition(victim.Host);
        var left = await watch.WaitForLineAsync(WatchOutput.Left(victim), $"{victim.Name} leaving", HostCluster.JobTimeout, mark);
        var dropped = clock.Elapsed;
        await watch.WaitForLineAsync(WatchOutput.IsProgress, "a step after the drop", HostCluster.JobTimeout, left.Next);
        var stepped = clock.Elapsed;
        await cluster.Coordinator.WaitForLineAsync($"Member downed: {victim.Address}", HostCluster.JobTimeout);
        var downed = clock.Elapsed;
        // A downed node cannot rejoin: it downs itself on its side of the partition and exits with 1.
        Assert.Equal(1, await victim.Process.WaitForExitAsync(HostCluster.JobTimeout));
        var exited = clock.Elapsed;

        Faults.Heal(victim.Host);
        var rejoinMark = watch.LineCount;
        await cluster.RestartAsync(victim);
        var joined = await watch.WaitForLineAsync(WatchOutput.Joined(victim), $"{victim.Name} joining again", HostCluster.JobTimeout, rejoinMark);
        var rejoined = clock.Elapsed;
        var withIt = await watch.WaitForLineAsync(line => WatchOutput.IsProgress(line) && line.EndsWith(" 3 workers", StringComparison.Ordinal),
            "a step on 3 workers", HostCluster.JobTimeout, joined.Next);
        await HostCluster.AssertSucceededAsync(watch);
        var finished = clock.Elapsed;

        ModelFiles.AssertIdentical(reference, await cluster.DownloadModelAsync(jobId));
        output.WriteLine($"partition of {victim.Name} ({job.TotalSteps} steps): dropped from the job after {dropped.TotalSeconds:F1} s, " +
            $"next step done after {stepped.TotalSeconds:F1} s, downed after {downed.TotalSeconds:F1} s, exited after {exited.TotalSeconds:F1} s; " +
            $"healed and restarted, it joined the job after {rejoined.TotalSeconds:F1} s ({withIt.Text}); job succeeded after {finished.TotalSeconds:F1} s; weights identical");
    }
}
