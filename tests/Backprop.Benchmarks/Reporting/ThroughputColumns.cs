using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Backprop.Benchmarks.Benchmarks;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Reporting;

/// <summary>What one invocation of a benchmark computes: its FLOPs and, for training steps, its samples.</summary>
public static class Workload
{
    /// <summary>Floating-point operations of one invocation of <paramref name="benchmarkCase"/>, if known.</summary>
    public static double? Flops(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var type = benchmarkCase.Descriptor.Type;
        var parameters = benchmarkCase.Parameters;
        if (type == typeof(GemmBenchmarks))
        {
            return ((GemmCase)parameters[nameof(GemmBenchmarks.Case)]).Flops;
        }

        if (type == typeof(TrainingStepBenchmarks))
        {
            return ReferenceMlp.StepFlops((int)parameters[nameof(TrainingStepBenchmarks.Batch)]);
        }

        return type == typeof(PeakFmaBenchmark) ? FmaPeak.Flops((FmaWidth)parameters[nameof(PeakFmaBenchmark.Width)]) : null;
    }

    /// <summary>Samples of one invocation (training steps only).</summary>
    public static int? Samples(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        return benchmarkCase.Descriptor.Type == typeof(TrainingStepBenchmarks)
            ? (int)benchmarkCase.Parameters[nameof(TrainingStepBenchmarks.Batch)]
            : null;
    }

    /// <summary>
    /// Median time per invocation in ns, if the benchmark ran. The median, not the mean: on the shared
    /// virtual machine these numbers come from, libtorch's two-thread steps go through phases where
    /// a step takes ~130 ms instead of ~1 ms (most likely its OpenMP threads waiting on a descheduled
    /// vCPU), which drag the mean far from what the code does most of the time; the Mean column
    /// still shows them.
    /// </summary>
    public static double? MedianNs(Summary summary, BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary[benchmarkCase]?.ResultStatistics?.Median;
    }
}

/// <summary>Base of the three throughput columns: numeric, always shown, right after the statistics.</summary>
public abstract class ThroughputColumn(string name, string legend) : IColumn
{
    /// <inheritdoc />
    public string Id => GetType().Name;

    /// <inheritdoc />
    public string ColumnName => name;

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => legend;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Compute(summary, benchmarkCase) is { } value ? value.ToString(Format, CultureInfo.InvariantCulture) + Suffix : "-";

    /// <summary>Number format of the values.</summary>
    protected virtual string Format => "F1";

    /// <summary>Appended to each value.</summary>
    protected virtual string Suffix => string.Empty;

    /// <summary>The value for one row, or null where it does not apply.</summary>
    protected abstract double? Compute(Summary summary, BenchmarkCase benchmarkCase);
}

/// <summary>GFLOP/s of the row: its FLOPs (2mkn, 6·P·batch, or the FMA loop's) over its median time.</summary>
public sealed class GflopsColumn() : ThroughputColumn("GFLOP/s", "Floating-point operations per ns of the median time: 2mkn for GEMM, 6 × parameters × batch for a training step")
{
    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase) =>
        Workload.Flops(benchmarkCase) is { } flops && Workload.MedianNs(summary, benchmarkCase) is { } ns ? flops / ns : null;
}

/// <summary>Training samples per second of a step row.</summary>
public sealed class SamplesPerSecondColumn() : ThroughputColumn("Samples/s", "Training samples per second (batch / median time per step)")
{
    /// <inheritdoc />
    protected override string Format => "N0";

    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase) =>
        Workload.Samples(benchmarkCase) is { } samples && Workload.MedianNs(summary, benchmarkCase) is { } ns ? samples / ns * 1e9 : null;
}

/// <summary>
/// Throughput relative to the libtorch row with the same parameters: libtorch's median time ÷ this
/// row's, so 1.25× means 25% more samples (or FLOPs) per second than libtorch.
/// </summary>
public sealed class VersusLibTorchColumn() : ThroughputColumn("vs libtorch", "Throughput ÷ libtorch's on the same parameters (libtorch median / this median); > 1 = faster than libtorch")
{
    /// <inheritdoc />
    protected override string Format => "F2";

    /// <inheritdoc />
    protected override string Suffix => "×";

    /// <inheritdoc />
    protected override double? Compute(Summary summary, BenchmarkCase benchmarkCase)
    {
        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        return baseline is not null && Workload.MedianNs(summary, baseline) is { } torch && Workload.MedianNs(summary, benchmarkCase) is { } ns
            ? torch / ns
            : null;
    }
}
