using System.Diagnostics;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Recovery;

/// <summary>
/// A worker behind a slow link (tc tbf both ways): its blocks are sent to the other workers as well, the watch names
/// it, and the job completes with the undisturbed weights.
/// </summary>
public sealed class SlowLinkTests(ITestOutputHelper output)
{
    /// <summary>
    /// Slow enough that θ and the sums of the 4,547-parameter model (18 KB each) take far longer than the straggler
    /// deadline, fast enough that the worker catches up and takes blocks again now and then. The first step's deadline
    /// is long (650-760 ms: every worker's first round trip opens its TLS link): at 256 kbit the slow worker's first
    /// blocks made it in 2 of 5 runs, and the job then ended without naming it (why it was not late again is not
    /// understood yet; slowing the link mid-job named no worker either, 3 of 3 runs).
    /// </summary>
    private const string CrawlRate = "128kbit";

    [MultiHostFact]
    public async Task SlowWorkerLink_WholeJob_ItsBlocksAreRunElsewhereAndWeightsAreUndisturbed()
    {
        using var cluster = await HostCluster.StartAsync(output, workers: 3);
        var slow = cluster.Workers[0];
        // Slowed before the job starts: a small job's steps outrun the watch that would tell the test where it is.
        Faults.SlowLink(slow.Host, CrawlRate);
        var clock = Stopwatch.StartNew();
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 40, Hidden: "64,64"), "slow", untilStep: 1);

        var speculated = await run.Watch.WaitForLineAsync(
            line => line.Contains(" slow at step ", StringComparison.Ordinal), "a speculative re-send", HostCluster.JobTimeout);
        var detected = clock.Elapsed;
        await cluster.AssertUndisturbedAsync(run);
        var finished = clock.Elapsed;
        Faults.RestoreLink(slow.Host);

        Assert.Contains($"@{slow.Host.Address}:", speculated.Text);
        output.WriteLine($"link of {slow.Host} at {CrawlRate}: \"{speculated.Text.Trim()}\" {detected.TotalSeconds:F1} s after submitting; " +
            $"the {run.Job.TotalSteps} steps done and the model fetched after {finished.TotalSeconds:F1} s; weights identical");
    }
}
