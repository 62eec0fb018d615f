using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// The coordinator cut off (iptables DROP both ways) from its two workers past the downing timeout, every node under
/// the emulated restart policy: the workers keep the cluster and down the coordinator, which downs itself, exits and is
/// restarted while still cut off, so it cannot reach the members it remembers and forms a cluster of its own. Once
/// healed, nothing but the workers' coordinator watch can bring them together: the workers leave their coordinator-less
/// cluster after <c>CoordinatorLostAfter</c>, restart, join the coordinator, and the job finishes exactly.
/// </summary>
public sealed class CoordinatorPartitionTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task PartitionCoordinator_PastDowningThenHeal_WorkersRejoinItAndTheJobFinishesWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 300, Seed: 5), "coordinator-cut-off", untilStep: 60);
        var cutOff = cluster.Coordinator;
        var workerProcesses = cluster.Workers.Select(worker => worker.Process).ToList();

        var clock = Stopwatch.StartNew();
        Faults.Partition(cluster.CoordinatorHost);
        Assert.Equal(1, await cutOff.WaitForExitAsync(HostCluster.JobTimeout));
        var exited = clock.Elapsed;
        // The restarted coordinator, still cut off, asks its former members in vain and forms a cluster of its own.
        await WaitForNewCoordinatorAsync(cluster, cutOff);
        await cluster.Coordinator.WaitForLineAsync("Member up", HostCluster.NodeStartTimeout);
        var alone = clock.Elapsed;
        Faults.Heal(cluster.CoordinatorHost);

        var watch = cluster.Watch(run.Id);
        await watch.WaitForLineAsync(WatchOutput.IsProgress, "a step after the heal", HostCluster.JobTimeout);
        var resumed = clock.Elapsed;
        await HostCluster.AssertSucceededAsync(watch);

        ModelFiles.AssertIdentical(run.ReferenceModel, await cluster.DownloadModelAsync(run.Id));
        // Each worker left its coordinator-less cluster on its own, and its restart joined the coordinator.
        foreach (var (worker, first) in cluster.Workers.Zip(workerProcesses))
        {
            Assert.NotSame(first, worker.Process);
            Assert.Contains("the node left a cluster that had no coordinator", first.Log, StringComparison.Ordinal);
        }

        output.WriteLine($"coordinator cut off at step 60/{run.Job.TotalSteps}: it downed itself and exited after {exited.TotalSeconds:F1} s, " +
            $"was restarted and alone after {alone.TotalSeconds:F1} s (healed then); the workers left their cluster, restarted and the job " +
            $"trained again after {resumed.TotalSeconds:F1} s, succeeded after {clock.Elapsed.TotalSeconds:F1} s; weights identical");
    }

    private static async Task WaitForNewCoordinatorAsync(HostCluster cluster, HostProcess old)
    {
        var deadline = Stopwatch.StartNew();
        while (ReferenceEquals(cluster.Coordinator, old))
        {
            Assert.True(deadline.Elapsed < HostCluster.NodeStartTimeout, "the restart policy did not start the coordinator again");
            await Task.Delay(100);
        }
    }
}
