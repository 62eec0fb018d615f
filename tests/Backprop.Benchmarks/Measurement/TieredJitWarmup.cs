using System.Diagnostics;
using System.Runtime;

namespace Backprop.Benchmarks.Measurement;

/// <summary>
/// Brings the code of a set of workloads to tier-1 (fully optimised) before anything is timed, so a
/// short Stopwatch loop does not measure tier-0 code, and BenchmarkDotNet's pilot stage does not
/// size its iterations from tier-0 timings (a 512-sample step is ~5× slower at tier-0, and the pilot
/// then chose 4 operations per iteration instead of ~20). <c>DOTNET_TieredCompilation=0</c> would
/// avoid both but would also switch off dynamic PGO, which the kernels gain from.
/// </summary>
/// <remarks>
/// The runtime counts calls only after a quiet period with no new tier-0 compilation (the tiering
/// delay, 100 ms by default), and promotes a method after 30 counted calls on a background thread.
/// So: call everything, wait out the delay, call everything again past the threshold, then wait
/// until the JIT has stopped compiling.
/// </remarks>
public static class TieredJitWarmup
{
    /// <summary>Calls per workload and pass: above the runtime's call-count threshold of 30.</summary>
    public const int CallsPerPass = 40;

    /// <summary>Longer than the runtime's default tiering delay of 100 ms.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound on waiting for background compilation to finish.</summary>
    public static readonly TimeSpan MaxSettleTime = TimeSpan.FromSeconds(3);

    /// <summary>Runs the warm-up over <paramref name="workloads"/>; returns how many methods the JIT compiled meanwhile.</summary>
    public static long Run(IReadOnlyList<Action> workloads)
    {
        ArgumentNullException.ThrowIfNull(workloads);
        var compiledBefore = JitInfo.GetCompiledMethodCount();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var workload in workloads)
            {
                for (var i = 0; i < CallsPerPass; i++)
                {
                    workload();
                }
            }

            Thread.Sleep(QuietPeriod);
        }

        var started = Stopwatch.GetTimestamp();
        var compiled = JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started) < MaxSettleTime)
        {
            Thread.Sleep(QuietPeriod);
            var now = JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                break;
            }

            compiled = now;
        }

        return compiled - compiledBefore;
    }
}
