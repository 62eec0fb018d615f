using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>A worker killed mid-step (kill -9): its blocks move to the live workers within the step; no one restarts.</summary>
public sealed class WorkerKillTests(ITestOutputHelper output)
{
    /// <summary>Seeds of the jobs, and of the step and worker each kill picks.</summary>
    private static readonly int[] Seeds = [1, 2, 3];

    [MultiHostFact]
    public async Task KillWorker_AtRandomStepForEachSeed_JobCompletesWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 3);
        foreach (var seed in Seeds)
        {
            var job = new TrainingJob(Epochs: 100, Seed: seed);
            var random = new Random(seed);
            var killStep = random.Next(2, job.TotalSteps / 2);
            var victim = cluster.Workers[random.Next(cluster.Workers.Count)];
            var run = await cluster.StartJobAsync(job, $"kill-seed-{seed}", untilStep: killStep);

            var mark = run.Watch.LineCount;
            var clock = Stopwatch.StartNew();
            Faults.Kill(victim.Process);
            var left = await run.Watch.WaitForLineAsync(WatchOutput.Left(victim), $"{victim.Name} leaving", HostCluster.JobTimeout, mark);
            var dropped = clock.Elapsed;
            // The supervisor's restart, for the next seed: it joins while this job ends (or in it, which changes nothing).
            var restart = cluster.RestartAsync(victim);
            await run.Watch.WaitForLineAsync(WatchOutput.IsProgress, "a step after the drop", HostCluster.JobTimeout, left.Next);
            var stepped = clock.Elapsed;
            await cluster.AssertUndisturbedAsync(run);

            output.WriteLine($"seed {seed}: kill -9 of {victim.Name} at step {killStep}/{job.TotalSteps}: dropped from the job after " +
                $"{dropped.TotalSeconds:F1} s, next step done after {stepped.TotalSeconds:F1} s, job succeeded after {clock.Elapsed.TotalSeconds:F1} s " +
                "(model fetched); weights identical");
            await restart;
        }
    }
}
