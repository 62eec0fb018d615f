using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>A worker behind a slow link (tc tbf both ways): the job completes with the undisturbed weights.</summary>
public sealed class SlowLinkTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task SlowWorkerLink_MidJob_JobCompletesWithTheUndisturbedWeights()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 3);
        var job = new TrainingJob(Epochs: 60);
        var slow = cluster.Workers[0];
        var reference = await cluster.TrainReferenceAsync(job, "slow");
        var (watch, jobId) = await cluster.SubmitAndWatchAsync(job, "slow");
        var before = await watch.WaitForLineAsync(WatchOutput.StepAtLeast(10), "step 10", HostCluster.JobTimeout);

        var clock = Stopwatch.StartNew();
        Faults.SlowLink(slow.Host);
        var slowedAt = WatchOutput.StepOf((await watch.WaitForLineAsync(WatchOutput.IsProgress, "a step on the slow link", HostCluster.JobTimeout, before.Next)).Text)!.Value;
        await HostCluster.AssertSucceededAsync(watch);
        var finished = clock.Elapsed;
        Faults.RestoreLink(slow.Host);

        ModelFiles.AssertIdentical(reference, await cluster.DownloadModelAsync(jobId));
        var steps = job.TotalSteps - slowedAt + 1;
        output.WriteLine($"link of {slow.Host} slowed to {Faults.SlowRate} at step {slowedAt}/{job.TotalSteps}: the remaining {steps} steps took " +
            $"{finished.TotalSeconds:F1} s ({finished.TotalMilliseconds / steps:F0} ms a step); weights identical");
    }
}
