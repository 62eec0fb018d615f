using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>A worker started mid-job on a new host: it joins the running job and takes blocks from then on.</summary>
public sealed class ElasticJoinTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task AddWorker_MidJob_ItTakesBlocksAndWeightsAreUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        // Long enough (about 20 s undisturbed here) to outlast a node's start-up on a busy machine.
        var job = new TrainingJob(Epochs: 1000);
        var reference = await cluster.TrainReferenceAsync(job, "elastic");
        var (watch, jobId) = await cluster.SubmitAndWatchAsync(job, "elastic");
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(10), "step 10", HostCluster.JobTimeout);

        var mark = watch.LineCount;
        var clock = Stopwatch.StartNew();
        var added = await cluster.AddWorkerAsync();
        var up = clock.Elapsed;
        var joined = await watch.WaitForLineAsync(WatchOutput.Joined(added), $"{added.Name} joining", HostCluster.JobTimeout, mark);
        var joinedAfter = clock.Elapsed;
        var withIt = await watch.WaitForLineAsync(line => WatchOutput.IsProgress(line) && line.EndsWith(" 3 workers", StringComparison.Ordinal),
            "a step on 3 workers", HostCluster.JobTimeout, joined.Next);
        await HostCluster.AssertSucceededAsync(watch);
        var finished = clock.Elapsed;

        ModelFiles.AssertIdentical(reference, await cluster.DownloadModelAsync(jobId));
        output.WriteLine($"{added.Name} started mid-job: node up after {up.TotalSeconds:F1} s, joined the job after {joinedAfter.TotalSeconds:F1} s " +
            $"({withIt.Text}); job ({job.TotalSteps} steps) succeeded after {finished.TotalSeconds:F1} s; weights identical");
    }
}
