using System.Diagnostics;
using Backprop.Server.Jobs;

namespace Backprop.Server.Tests.Jobs;

public class JobWatcherTests
{
    private const long TotalSteps = 1000;

    /// <summary>A real timestamp: on a machine up for a while, a large number (the once-a-second check must not overflow on it).</summary>
    private static readonly long Now = Stopwatch.GetTimestamp();

    private static long After(double seconds) => Now + (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void WantsProgress_NoStepInterval_SendsTheFirstThenAboutOnceASecond()
    {
        var watcher = new JobWatcher(everySteps: 0);

        Assert.True(watcher.WantsProgress(1, TotalSteps, Now));
        Assert.False(watcher.WantsProgress(2, TotalSteps, After(0.5)));
        Assert.True(watcher.WantsProgress(3, TotalSteps, After(1.0)));
        Assert.False(watcher.WantsProgress(4, TotalSteps, After(1.9)));
        Assert.True(watcher.WantsProgress(5, TotalSteps, After(2.1)));
    }

    [Fact]
    public void WantsProgress_LastStep_IsAlwaysSent()
    {
        var watcher = new JobWatcher(everySteps: 0);
        Assert.True(watcher.WantsProgress(1, TotalSteps, Now));

        Assert.True(watcher.WantsProgress(TotalSteps, TotalSteps, After(0.1)));
    }

    [Fact]
    public void WantsProgress_EveryStepsGiven_SendsThoseStepsWhateverTheTime()
    {
        var watcher = new JobWatcher(everySteps: 5);

        Assert.Equal([5L, 10L, TotalSteps], new[] { 4L, 5L, 6L, 10L, TotalSteps }.Where(step => watcher.WantsProgress(step, TotalSteps, Now)));
    }
}
