using BenchmarkDotNet.Attributes;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Benchmarks;

/// <summary>One core's FMA throughput at each accelerated vector width: the "peak" of the % peak columns.</summary>
public class PeakFmaBenchmark
{
    /// <summary>The widths this machine accelerates.</summary>
    public static IEnumerable<FmaWidth> Widths => Enum.GetValues<FmaWidth>().Where(FmaPeak.IsSupported);

    /// <summary>Vector width of the loop.</summary>
    [ParamsSource(nameof(Widths))]
    public FmaWidth Width { get; set; }

    /// <summary>12 independent FMA chains × <see cref="FmaPeak.Iterations"/>.</summary>
    [Benchmark]
    public float Fma() => FmaPeak.Run(Width);
}
