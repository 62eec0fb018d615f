using System.Diagnostics;
using Akka.Actor;
using Backprop.Cluster.Coordinator;

namespace Backprop.Cluster.Tests.Coordinator;

public class StragglerPolicyTests
{
    [Theory]
    [InlineData(new double[0], 0)]
    [InlineData(new[] { 0.0, -1.0 }, 0)]
    [InlineData(new[] { 3.0 }, 3)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3)]
    [InlineData(new[] { 4.0, 1.0, 0.0, 2.0 }, 2)]
    public void Pace_MeasuredRoundTrips_IsTheirMedianIgnoringUnmeasured(double[] roundTrips, double expected) =>
        Assert.Equal(expected, StragglerPolicy.Pace(roundTrips));

    [Fact]
    public void Deadline_FastPace_IsTheMinimumWait() =>
        Assert.Equal(StragglerPolicy.MinimumWait, StragglerPolicy.Deadline(64, 1e-6));

    [Fact]
    public void Deadline_SlowPace_IsLateFactorTimesTheExpectedTime() =>
        Assert.Equal(TimeSpan.FromSeconds(StragglerPolicy.LateFactor * 100 * 0.01), StragglerPolicy.Deadline(100, 0.01));
}

public class JobWorkerRoundTripTests
{
    private static JobWorker Worker() => new(ActorRefs.Nobody);

    [Fact]
    public void BlockArrived_TwoBlocksInTurn_MeasuresSecondsPerSampleFromTheFirstSend()
    {
        var worker = Worker();
        var sent = Stopwatch.GetTimestamp();
        worker.BlocksSent(sent);

        worker.BlockArrived(10, sent + Stopwatch.Frequency, owesMore: true);
        worker.BlockArrived(10, sent + (2 * Stopwatch.Frequency), owesMore: true);

        // 1 s for the first 10 samples, 2 s for all 20: 0.1 s each both times.
        Assert.Equal(0.1, worker.RoundTripPerSample, 9);
        Assert.Equal(20, worker.SamplesArrived);
    }

    [Fact]
    public void BlocksSent_WhileStillOwing_KeepsTheClockOfTheFirstSend()
    {
        var worker = Worker();
        var sent = Stopwatch.GetTimestamp();
        worker.BlocksSent(sent);

        worker.BlocksSent(sent + Stopwatch.Frequency);

        Assert.Equal(TimeSpan.FromSeconds(3), worker.Waited(sent + (3 * Stopwatch.Frequency)));
    }

    [Fact]
    public void BlockArrived_LastOneOwed_ABlockSentLaterIsTimedFromItsOwnSend()
    {
        var worker = Worker();
        var sent = Stopwatch.GetTimestamp();
        worker.BlocksSent(sent);
        worker.BlockArrived(10, sent + Stopwatch.Frequency, owesMore: false);

        // Moved to it 5 s into the step, from a lost worker: 1 s later it has waited 1 s, not 6.
        worker.BlocksSent(sent + (5 * Stopwatch.Frequency));

        Assert.Equal(TimeSpan.FromSeconds(1), worker.Waited(sent + (6 * Stopwatch.Frequency)));
    }

    [Fact]
    public void Idle_ThenLateResult_IsNotMeasured()
    {
        var worker = Worker();
        var sent = Stopwatch.GetTimestamp();
        worker.BlocksSent(sent);
        worker.Idle();

        worker.BlockArrived(10, sent + Stopwatch.Frequency, owesMore: false);

        Assert.Equal(0, worker.RoundTripPerSample);
        Assert.Equal(TimeSpan.Zero, worker.Waited(sent + Stopwatch.Frequency));
    }
}
