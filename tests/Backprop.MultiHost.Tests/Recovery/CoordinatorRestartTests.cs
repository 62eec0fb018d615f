using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// The coordinator killed (kill -9) mid-epoch and started again on its data volume: the running and the queued job
/// are listed again and both finish with the weights of an uninterrupted run (resumed from a checkpoint or trained
/// again from step 0: either way the weights must be the same).
/// </summary>
public sealed class CoordinatorRestartTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task KillCoordinator_MidEpochThenRestart_RunningAndQueuedJobsFinishWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var runningJob = new TrainingJob(Epochs: 150, Seed: 7);
        var queuedJob = new TrainingJob(Epochs: 50, Seed: 8);
        var runningReference = await cluster.TrainReferenceAsync(runningJob, "running");
        var queuedReference = await cluster.TrainReferenceAsync(queuedJob, "queued");
        var (watch, running) = await cluster.SubmitAndWatchAsync(runningJob, "running");
        var queued = await cluster.SubmitAsync(queuedJob, "queued");
        // Mid-epoch: an epoch has 3 steps, so step 3k+2 is its middle.
        var killStep = 3 * 40 + 2;
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(killStep), $"step {killStep}", HostCluster.JobTimeout);

        var clock = Stopwatch.StartNew();
        Faults.Kill(cluster.Coordinator);
        await cluster.StartCoordinatorAsync(rejoin: cluster.Workers);
        var up = clock.Elapsed;
        var listed = await WaitForListedAsync(cluster, running, queued);
        var listedAfter = clock.Elapsed;
        await HostCluster.AssertSucceededAsync(cluster.Watch(running));
        var runningDone = clock.Elapsed;
        await HostCluster.AssertSucceededAsync(cluster.Watch(queued));
        var queuedDone = clock.Elapsed;

        ModelFiles.AssertIdentical(runningReference, await cluster.DownloadModelAsync(running));
        ModelFiles.AssertIdentical(queuedReference, await cluster.DownloadModelAsync(queued));
        output.WriteLine($"kill -9 of the coordinator at step {killStep}/{runningJob.TotalSteps}: restarted and up after {up.TotalSeconds:F1} s, " +
            $"both jobs listed after {listedAfter.TotalSeconds:F1} s, the running job succeeded after {runningDone.TotalSeconds:F1} s, the queued one after {queuedDone.TotalSeconds:F1} s; weights identical\n{listed}");
    }

    /// <summary>The restarted coordinator lists its stored jobs again in the background: polls <c>backprop jobs</c>.</summary>
    private static async Task<string> WaitForListedAsync(HostCluster cluster, params string[] jobIds)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var jobs = await cluster.ListJobsAsync();
            if (jobIds.All(id => jobs.Contains(id, StringComparison.Ordinal)))
            {
                return jobs;
            }

            Assert.True(deadline.Elapsed < HostCluster.JobTimeout, $"the restarted coordinator did not list {string.Join(", ", jobIds)}:\n{jobs}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
