using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// The coordinator killed (kill -9) mid-epoch and started again at once with exactly its settings and data volume, as
/// compose's <c>restart: unless-stopped</c> does (no seed nodes: it finds the workers through the members it remembers),
/// with the restart policy emulated for every node. The jobs are listed again and finish with the weights of an
/// uninterrupted run (resumed from a checkpoint or trained again from step 0: either way the weights must be the same),
/// whichever side the Split Brain Resolver keeps.
/// </summary>
public sealed class CoordinatorRestartTests(ITestOutputHelper output)
{
    /// <summary>Mid-epoch: an epoch of the test jobs has 3 steps, so step 3k+2 is its middle.</summary>
    private const int KillStep = 3 * 40 + 2;

    [MultiHostFact]
    public async Task KillCoordinator_TwoWorkersKeepTheCluster_RunningAndQueuedJobsFinishWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var runningJob = new TrainingJob(Epochs: 150, Seed: 7);
        var queuedJob = new TrainingJob(Epochs: 50, Seed: 8);
        var runningReference = await cluster.TrainReferenceAsync(runningJob, "running");
        var queuedReference = await cluster.TrainReferenceAsync(queuedJob, "queued");
        var (watch, running) = await cluster.SubmitAndWatchAsync(runningJob, "running");
        var queued = await cluster.SubmitAsync(queuedJob, "queued");
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(KillStep), $"step {KillStep}", HostCluster.JobTimeout);

        var workerProcesses = cluster.Workers.Select(worker => worker.Process).ToList();

        var recovery = await KillAndRestartAsync(cluster, restart: cluster.StartCoordinatorAsync, running, queued);
        await HostCluster.AssertSucceededAsync(cluster.Watch(queued));

        // The coordinator rejoined the workers' cluster: none of them had to leave it and restart.
        Assert.Equal(workerProcesses, cluster.Workers.Select(worker => worker.Process));

        ModelFiles.AssertIdentical(runningReference, await cluster.DownloadModelAsync(running));
        ModelFiles.AssertIdentical(queuedReference, await cluster.DownloadModelAsync(queued));

        // A second coordinator started by mistake on the same address and volume finds the volume locked and exits
        // with 2, leaving every stored file as it was.
        var stored = JobFiles(cluster);
        var second = cluster.StartSecondCoordinator();
        Assert.Equal(2, await second.WaitForExitAsync(HostCluster.NodeStartTimeout));
        Assert.Contains("is in use by another coordinator", second.Log, StringComparison.Ordinal);
        Assert.Equal(stored, JobFiles(cluster));
        output.WriteLine($"2 workers, kill -9 of the coordinator at step {KillStep}/{runningJob.TotalSteps}, restarted as compose does: {recovery}; " +
            $"the queued job succeeded too; weights identical; a second coordinator on the volume exited with 2: {second.Log.Split('\n')[^1]}");
    }

    [MultiHostFact]
    public async Task KillCoordinator_OneWorker_JobFinishesWithTheUndisturbedWeights()
    {
        // Two nodes split evenly: the side with the lower address (the coordinator's) is kept, so the worker downs
        // itself, and its restart policy brings it back to the seed, the restarted coordinator.
        using var cluster = await HostCluster.StartAsync(output, workers: 1);
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 150, Seed: 7), "one-worker", untilStep: KillStep);

        var recovery = await KillAndRestartAsync(cluster, restart: cluster.StartCoordinatorAsync, run.Id);

        ModelFiles.AssertIdentical(run.ReferenceModel, await cluster.DownloadModelAsync(run.Id));
        output.WriteLine($"1 worker, kill -9 of the coordinator at step {KillStep}/{run.Job.TotalSteps}, restarted as compose does: {recovery}; weights identical");
    }

    [MultiHostFact]
    public async Task KillCoordinator_BackOnAnotherAddress_JobFinishesWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 150, Seed: 7), "moved", untilStep: KillStep);
        var oldAddress = cluster.CoordinatorHost.Address;
        var workerProcesses = cluster.Workers.Select(worker => worker.Process).ToList();

        var recovery = await KillAndRestartAsync(cluster, restart: cluster.MoveCoordinatorAsync, run.Id);

        ModelFiles.AssertIdentical(run.ReferenceModel, await cluster.DownloadModelAsync(run.Id));
        Assert.Equal(workerProcesses, cluster.Workers.Select(worker => worker.Process));
        output.WriteLine($"2 workers, kill -9 of the coordinator at step {KillStep}/{run.Job.TotalSteps}, back on {cluster.CoordinatorHost.Address} " +
            $"instead of {oldAddress}: {recovery}; weights identical");
    }

    /// <summary>
    /// Kills the coordinator, runs <paramref name="restart"/>, and follows the first of <paramref name="jobIds"/> to its
    /// success; returns when the coordinator was up, the jobs listed, the first one training again and done.
    /// </summary>
    private static async Task<string> KillAndRestartAsync(HostCluster cluster, Func<Task> restart, params string[] jobIds)
    {
        var clock = Stopwatch.StartNew();
        Faults.Kill(cluster.Coordinator);
        await restart();
        var up = clock.Elapsed;
        await WaitForListedAsync(cluster, jobIds);
        var listed = clock.Elapsed;
        var watch = cluster.Watch(jobIds[0]);
        // The rest of a test job can take under a second: by the time the watch connects it may already have ended, and
        // then it prints the final status alone (its success is asserted next).
        await watch.WaitForLineAsync(
            line => WatchOutput.IsProgress(line) || line.Contains(" succeeded", StringComparison.Ordinal), "a step after the restart, or the job's end", HostCluster.JobTimeout);
        var resumed = clock.Elapsed;
        await HostCluster.AssertSucceededAsync(watch);
        return $"up after {up.TotalSeconds:F1} s, jobs listed after {listed.TotalSeconds:F1} s, training again (or done) after {resumed.TotalSeconds:F1} s, " +
            $"succeeded after {clock.Elapsed.TotalSeconds:F1} s";
    }

    /// <summary>Every file under the volume's <c>jobs/</c>, by path, with its bytes as Base64.</summary>
    private static Dictionary<string, string> JobFiles(HostCluster cluster)
    {
        var jobs = Path.Combine(cluster.DataRoot, "jobs");
        return Directory.EnumerateFiles(jobs, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(jobs, path), path => Convert.ToBase64String(File.ReadAllBytes(path)));
    }

    /// <summary>The restarted coordinator lists its stored jobs again in the background: polls <c>backprop jobs</c>.</summary>
    private static async Task WaitForListedAsync(HostCluster cluster, params string[] jobIds)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var jobs = await cluster.ListJobsAsync();
            if (jobIds.All(id => jobs.Contains(id, StringComparison.Ordinal)))
            {
                return;
            }

            Assert.True(deadline.Elapsed < HostCluster.JobTimeout, $"the restarted coordinator did not list {string.Join(", ", jobIds)}:\n{jobs}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
