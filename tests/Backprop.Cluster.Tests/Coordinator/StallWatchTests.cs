using Backprop.Cluster.Coordinator;

namespace Backprop.Cluster.Tests.Coordinator;

public sealed class StallWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private static TimeSpan At(double minutes) => TimeSpan.FromMinutes(minutes);

    [Fact]
    public void Check_RunningWithoutProgressForLessThanTheTimeout_DoesNothing()
    {
        var watch = StallWatch.Start(Timeout, At(0));

        var (_, action) = watch.Check(progress: 0, running: true, At(4.9));

        Assert.Equal(StallAction.None, action);
    }

    [Fact]
    public void Check_RunningWithoutProgressForTheTimeout_ReplansThenFailsAfterAnotherTimeout()
    {
        var watch = StallWatch.Start(Timeout, At(0));

        (watch, var first) = watch.Check(progress: 0, running: true, At(5));
        (watch, var early) = watch.Check(progress: 0, running: true, At(9.9));
        var (_, second) = watch.Check(progress: 0, running: true, At(10));

        Assert.Equal(StallAction.Replan, first);
        Assert.Equal(StallAction.None, early);
        Assert.Equal(StallAction.Fail, second);
    }

    [Fact]
    public void Check_ProgressAfterAReplan_RestartsTheClockAndAllowsAnotherReplan()
    {
        var watch = StallWatch.Start(Timeout, At(0));
        (watch, _) = watch.Check(progress: 0, running: true, At(5));

        (watch, var afterProgress) = watch.Check(progress: 3, running: true, At(6));
        (watch, var stillMoving) = watch.Check(progress: 3, running: true, At(10.9));
        var (_, again) = watch.Check(progress: 3, running: true, At(11));

        Assert.Equal(StallAction.None, afterProgress);
        Assert.Equal(StallAction.None, stillMoving);
        Assert.Equal(StallAction.Replan, again);
    }

    [Fact]
    public void Check_WaitingForWorkers_IsNotAStallAndRestartsTheClock()
    {
        var watch = StallWatch.Start(Timeout, At(0));
        (watch, _) = watch.Check(progress: 0, running: true, At(5));

        (watch, var waiting) = watch.Check(progress: 0, running: false, At(30));
        (watch, var soonAfter) = watch.Check(progress: 0, running: true, At(34));
        var (_, later) = watch.Check(progress: 0, running: true, At(35));

        Assert.Equal(StallAction.None, waiting);
        Assert.Equal(StallAction.None, soonAfter);
        Assert.Equal(StallAction.Replan, later);
    }
}
