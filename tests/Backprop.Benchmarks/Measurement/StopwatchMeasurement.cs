using System.Diagnostics;

namespace Backprop.Benchmarks.Measurement;

/// <summary>Best time and managed allocation per call of an action.</summary>
/// <param name="BestNs">The fastest round's mean time per call, in ns. The best round, not the mean:
/// on a machine shared with compilers and editors, interference only ever adds time.</param>
/// <param name="AllocatedBytesPerCall">Managed bytes allocated per call, on all threads.</param>
public sealed record StopwatchMeasurement(double BestNs, long AllocatedBytesPerCall)
{
    /// <summary>Warm-up of each workload before it is timed (caches, page faults; tier-1 code comes from <see cref="TieredJitWarmup"/>).</summary>
    public static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(20);

    /// <summary>Length of one measured round.</summary>
    public static readonly TimeSpan RoundTime = TimeSpan.FromMilliseconds(15);

    /// <summary>Measured rounds; the fastest is reported.</summary>
    public const int Rounds = 5;

    /// <summary>Warms <paramref name="call"/> up, then times <see cref="Rounds"/> rounds of it.</summary>
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
        var means = new double[Rounds];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var r = 0; r < Rounds; r++)
        {
            var roundStart = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerRound; i++)
            {
                call();
            }

            means[r] = Stopwatch.GetElapsedTime(roundStart).TotalNanoseconds / callsPerRound;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new StopwatchMeasurement(means.Min(), allocated / (Rounds * (long)callsPerRound));
    }
}
