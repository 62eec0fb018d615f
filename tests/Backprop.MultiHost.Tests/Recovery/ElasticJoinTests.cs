using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>A worker joining the cluster mid-job: it joins the running job and takes blocks from then on.</summary>
public sealed class ElasticJoinTests(ITestOutputHelper output)
{
    [MultiHostFact]
    public async Task AddWorker_MidJob_ItTakesBlocksAndWeightsAreUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        // Its process starts before the job, cut off, so that a slow start-up cannot outlast the job; the join is mid-job.
        var added = await cluster.AddPartitionedWorkerAsync();
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 1500), "elastic", untilStep: 10);

        var mark = run.Watch.LineCount;
        var clock = Stopwatch.StartNew();
        Faults.Heal(added.Host);
        await added.Process.WaitForLineAsync("(this node)", HostCluster.NodeStartTimeout);
        var up = clock.Elapsed;
        var joined = await run.Watch.WaitForLineAsync(WatchOutput.Joined(added), $"{added.Name} joining", HostCluster.JobTimeout, mark);
        var joinedAfter = clock.Elapsed;
        var withIt = await run.Watch.WaitForLineAsync(WatchOutput.StepOn(workers: 3), "a step on 3 workers", HostCluster.JobTimeout, joined.Next);
        await cluster.AssertUndisturbedAsync(run);

        output.WriteLine($"{added.Name} let into the cluster mid-job: member up after {up.TotalSeconds:F1} s, joined the job after {joinedAfter.TotalSeconds:F1} s " +
            $"({withIt.Text}); job ({run.Job.TotalSteps} steps) succeeded after {clock.Elapsed.TotalSeconds:F1} s (model fetched); weights identical");
    }
}
