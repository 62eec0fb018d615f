using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Backprop.Benchmarks.Reporting;
using Perfolizer.Horology;

namespace Backprop.Benchmarks;

/// <summary>The BenchmarkDotNet configuration of every benchmark in this project.</summary>
public static class BenchmarkConfig
{
    /// <summary>Warm-up iterations of the default job.</summary>
    public const int WarmupIterations = 5;

    /// <summary>Measured iterations of the default job.</summary>
    public const int MeasuredIterations = 15;

    /// <summary>Target length of one iteration of the default job.</summary>
    public const int IterationMilliseconds = 250;

    /// <summary>
    /// One job (fixed warm-up and iteration counts, so the whole set finishes in minutes rather than
    /// BenchmarkDotNet's open-ended default), marked as the default so that <c>--job short</c> or
    /// <c>--job dry</c> on the command line replaces it; allocations per operation; throughput
    /// columns; BenchmarkDotNet's time ratio hidden in favour of the throughput ratio "vs libtorch".
    /// </summary>
    public static IConfig Create() =>
        DefaultConfig.Instance
            .AddJob(Job.Default
                .WithWarmupCount(WarmupIterations)
                .WithIterationCount(MeasuredIterations)
                .WithIterationTime(TimeInterval.FromMilliseconds(IterationMilliseconds))
                .AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new GflopsColumn(), new SamplesPerSecondColumn(), new VersusLibTorchColumn())
            .HideColumns("Ratio", "RatioSD", "Alloc Ratio");
}
