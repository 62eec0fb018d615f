using System.Diagnostics;

namespace Backprop.Benchmarks.Measurement;

/// <summary>Best time and managed allocation per call of an action.</summary>
/// <param name="BestNs">The fastest round's mean time per call, in ns. The best round, not the mean:
/// on a machine shared with compilers and editors, interference only ever adds time.</param>
/// <param name="AllocatedBytesPerCall">Managed bytes allocated per call, on all threads.</param>
/// <param name="Rounds">How many rounds were timed.</param>
public sealed record StopwatchMeasurement(double BestNs, long AllocatedBytesPerCall, int Rounds)
{
    /// <summary>Warm-up of each workload before it is timed (caches, page faults; tier-1 code comes from <see cref="TieredJitWarmup"/>).</summary>
    public static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Shortest round: shorter than a scheduler time slice, so that on a busy machine some rounds
    /// run uninterrupted; long against the timer's resolution. A call longer than this is a round.
    /// </summary>
    public static readonly TimeSpan RoundTime = TimeSpan.FromMilliseconds(1);

    /// <summary>Time spent in timed rounds per workload (at least <see cref="MinRounds"/> rounds).</summary>
    public static readonly TimeSpan MeasureTime = TimeSpan.FromMilliseconds(80);

    /// <summary>Fewest timed rounds per workload.</summary>
    public const int MinRounds = 5;

    /// <summary>Warms <paramref name="call"/> up, then times rounds of it and keeps the fastest.</summary>
    public static StopwatchMeasurement Of(Action call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var warmupCalls = 0;
        var start = Stopwatch.GetTimestamp();
        while (warmupCalls < 3 || Stopwatch.GetElapsedTime(start) < WarmupTime)
        {
            call();
            warmupCalls++;
        }

        var perCall = Stopwatch.GetElapsedTime(start) / warmupCalls;
        var callsPerRound = Math.Max(1, (int)(RoundTime / perCall));
        var rounds = Math.Max(MinRounds, (int)(MeasureTime / (perCall * callsPerRound)));
        var best = double.MaxValue;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var r = 0; r < rounds; r++)
        {
            var roundStart = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerRound; i++)
            {
                call();
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(roundStart).TotalNanoseconds / callsPerRound);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new StopwatchMeasurement(best, allocated / (rounds * (long)callsPerRound), rounds);
    }
}
