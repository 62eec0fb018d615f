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
        var slow = cluster.Workers[0];
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 60), "slow", untilStep: 10);

        var mark = run.Watch.LineCount;
        var clock = Stopwatch.StartNew();
        Faults.SlowLink(slow.Host);
        var first = await run.Watch.WaitForLineAsync(WatchOutput.IsProgress, "a step on the slow link", HostCluster.JobTimeout, mark);
        await cluster.AssertUndisturbedAsync(run);
        var finished = clock.Elapsed;
        Faults.RestoreLink(slow.Host);

        var slowedAt = WatchOutput.StepOf(first.Text)!.Value;
        var steps = run.Job.TotalSteps - slowedAt + 1;
        output.WriteLine($"link of {slow.Host} slowed to {Faults.SlowRate} at step {slowedAt}/{run.Job.TotalSteps}: the remaining {steps} steps " +
            $"took {finished.TotalSeconds:F1} s with the model fetched ({finished.TotalMilliseconds / steps:F0} ms a step); weights identical");
    }
}
