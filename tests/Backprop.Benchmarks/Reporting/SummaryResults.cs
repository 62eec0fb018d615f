using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Backprop.Benchmarks.Benchmarks;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Reporting;

/// <summary>Collects the results of BenchmarkDotNet summaries into <see cref="BenchmarkResults"/>.</summary>
public static class SummaryResults
{
    /// <summary>Every measured FMA peak, GEMM shape and step in <paramref name="summaries"/>.</summary>
    public static BenchmarkResults From(IEnumerable<Summary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var peaks = new List<PeakResult>();
        var gemms = new List<GemmResult>();
        var steps = new List<StepResult>();
        foreach (var summary in summaries)
        {
            foreach (var benchmarkCase in summary.BenchmarksCases)
            {
                var type = benchmarkCase.Descriptor.Type;
                if (Workload.MedianNs(summary, benchmarkCase) is not { } ns)
                {
                    continue;
                }

                if (type == typeof(PeakFmaBenchmark))
                {
                    peaks.Add(new PeakResult((FmaWidth)benchmarkCase.Parameters[nameof(PeakFmaBenchmark.Width)], Workload.Flops(benchmarkCase)!.Value / ns));
                }
                else if (IsOurs(benchmarkCase, type, nameof(GemmBenchmarks.Ours), typeof(GemmBenchmarks)))
                {
                    gemms.Add(new GemmResult((GemmCase)benchmarkCase.Parameters[nameof(GemmBenchmarks.Case)], ns, BaselineNs(summary, benchmarkCase)));
                }
                else if (IsOurs(benchmarkCase, type, nameof(TrainingStepBenchmarks.Ours), typeof(TrainingStepBenchmarks)))
                {
                    var parameters = benchmarkCase.Parameters;
                    var allocated = summary[benchmarkCase]?.GcStats.GetBytesAllocatedPerOperation(benchmarkCase);
                    steps.Add(new StepResult(
                        (StepConfig)parameters[nameof(TrainingStepBenchmarks.Config)],
                        (int)parameters[nameof(TrainingStepBenchmarks.Batch)],
                        (int)parameters[nameof(TrainingStepBenchmarks.Threads)],
                        ns,
                        BaselineNs(summary, benchmarkCase),
                        allocated));
                }
            }
        }

        return new BenchmarkResults(peaks, gemms, steps);
    }

    private static bool IsOurs(BenchmarkCase benchmarkCase, Type type, string method, Type benchmarkType) =>
        type == benchmarkType && benchmarkCase.Descriptor.WorkloadMethod.Name == method;

    private static double? BaselineNs(Summary summary, BenchmarkCase benchmarkCase) =>
        summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase)) is { } baseline ? Workload.MedianNs(summary, baseline) : null;
}
