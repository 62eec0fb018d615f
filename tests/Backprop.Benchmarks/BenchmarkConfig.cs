using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using Backprop.Benchmarks.Reporting;
using Perfolizer.Horology;

namespace Backprop.Benchmarks;

/// <summary>The BenchmarkDotNet configuration of every benchmark in this project.</summary>
public static class BenchmarkConfig
{
    /// <summary>Name of the default job in BenchmarkDotNet's logs and tables.</summary>
    public const string JobId = "Backprop";

    /// <summary>Widest parameter value shown whole (GEMM cases such as <c>b512 L1 wgrad Δᵀ·A 256×512×784</c>).</summary>
    public const int MaxParameterWidth = 40;

    /// <summary>Warm-up iterations of the default job.</summary>
    public const int WarmupIterations = 5;

    /// <summary>Measured iterations of the default job.</summary>
    public const int MeasuredIterations = 15;

    /// <summary>Target length of one iteration of the default job.</summary>
    public const int IterationMilliseconds = 250;

    /// <summary>
    /// Allocations per operation; the median beside the mean (the throughput columns use it); throughput
    /// columns; BenchmarkDotNet's time ratio hidden in favour of
    /// the throughput ratio "vs libtorch". With <paramref name="withDefaultJob"/>, one job with fixed
    /// warm-up and iteration counts, so the whole set finishes in minutes rather than BenchmarkDotNet's
    /// open-ended default (leave it out when the command line names a job: <c>--job short</c>, <c>--job dry</c>).
    /// </summary>
    public static IConfig Create(bool withDefaultJob)
    {
        var config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median)
            .AddColumn(new GflopsColumn(), new SamplesPerSecondColumn(), new VersusLibTorchColumn())
            .HideColumns("Ratio", "RatioSD", "Alloc Ratio")
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(MaxParameterWidth));
        return withDefaultJob
            ? config.AddJob(Job.Default
                .WithId(JobId)
                .WithWarmupCount(WarmupIterations)
                .WithIterationCount(MeasuredIterations)
                .WithIterationTime(TimeInterval.FromMilliseconds(IterationMilliseconds))
                .AsDefault())
            : config;
    }
}
