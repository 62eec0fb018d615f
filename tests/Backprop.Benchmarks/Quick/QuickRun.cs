using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Backprop.Benchmarks.Measurement;
using Backprop.Benchmarks.NativeLoading;
using Backprop.Benchmarks.Reporting;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Quick;

/// <summary>
/// <c>--quick</c>: the FMA peak, every GEMM shape and every training step timed with a plain
/// Stopwatch loop (a few seconds in all, no BenchmarkDotNet), then the same report as the full run.
/// Less precise than BenchmarkDotNet; meant for the edit-build-measure loop of kernel work.
/// </summary>
public static class QuickRun
{
    /// <summary>The command-line switch.</summary>
    public const string Flag = "--quick";

    /// <summary>Thread counts of the step measurements (the same as <c>TrainingStepBenchmarks.Threads</c>).</summary>
    public static readonly int[] ThreadCounts = [1, 2];

    private static readonly string[] Sections = ["peak", "gemm", "step"];

    /// <summary>Batch of the warm-up workloads: the smallest the benchmarks use.</summary>
    private const int SmallBatch = 32;

    /// <summary>
    /// Shard size of a second warm-up step: a batch of 32 is one shard of the default 64 rows, while the
    /// larger batches sum several along the gradient tree, code that must be warm too.
    /// </summary>
    private const int WarmupShardSize = SmallBatch / 4;

    /// <summary>
    /// Runs the sections named in <paramref name="arguments"/> (<c>peak</c>, <c>gemm</c>, <c>step</c>;
    /// none means all) and prints the report to <paramref name="output"/>. Returns the exit code.
    /// </summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        var unknown = arguments.Where(a => !Sections.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            output.WriteLine($"{Flag}: unknown section(s) {string.Join(", ", unknown)}; use any of {string.Join(", ", Sections)} (none: all)");
            return 2;
        }

        var selected = arguments.Count == 0 ? Sections : [.. arguments];
        var started = Stopwatch.GetTimestamp();
        output.WriteLine(
            $"{Flag}: {Environment.ProcessorCount} cores, Vector<float> {Vector<float>.Count} lanes, " +
            $"Vector512 accelerated: {Vector512.IsHardwareAccelerated}, .NET {Environment.Version}, " +
            $"tiered compilation {Switch("DOTNET_TieredCompilation")}, dynamic PGO {Switch("DOTNET_TieredPGO")}");
        if (selected.Contains("gemm") || selected.Contains("step"))
        {
            LibTorchSharpLoadFix.Apply(output.WriteLine);
        }

        var warmup = Stopwatch.GetTimestamp();
        var owned = new List<IDisposable>();
        var compiled = TieredJitWarmup.Run(WarmupWorkloads(selected, owned));
        owned.ForEach(o => o.Dispose());
        output.WriteLine($"{Flag}: tier-1 warm-up compiled {compiled} methods in {Stopwatch.GetElapsedTime(warmup).TotalSeconds:F1} s");
        var peaks = selected.Contains("peak") ? MeasurePeaks() : [];
        var gemms = selected.Contains("gemm") ? MeasureGemms() : [];
        var steps = selected.Contains("step") ? MeasureSteps() : [];
        RatioReport.Print(output, new BenchmarkResults(peaks, gemms, steps));
        output.WriteLine($"{Flag}: measured in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (Stopwatch loop: per case, the best of ≥{StopwatchMeasurement.MinRounds} rounds of ≥1 ms in {StopwatchMeasurement.MeasureTime.TotalMilliseconds:F0} ms)");
        return 0;
    }

    /// <summary>"on" unless the runtime switch <paramref name="variable"/> is set to 0 (both default to on).</summary>
    private static string Switch(string variable) => Environment.GetEnvironmentVariable(variable) == "0" ? "off" : "on";

    /// <summary>
    /// Every code path of the selected sections on small shapes (the same methods as the large ones);
    /// what must be disposed afterwards goes to <paramref name="owned"/>.
    /// </summary>
    private static List<Action> WarmupWorkloads(IReadOnlyList<string> selected, List<IDisposable> owned)
    {
        var workloads = new List<Action>();
        if (selected.Contains("peak"))
        {
            workloads.AddRange(Enum.GetValues<FmaWidth>().Where(FmaPeak.IsSupported).Select(width => (Action)(() => FmaPeak.Run(width))));
        }

        if (selected.Contains("gemm"))
        {
            workloads.AddRange(WarmupGemms(owned));
        }

        if (selected.Contains("step"))
        {
            workloads.AddRange(WarmupSteps(owned));
        }

        return workloads;
    }

    private static List<PeakResult> MeasurePeaks() =>
        [.. Enum.GetValues<FmaWidth>().Where(FmaPeak.IsSupported).Select(width =>
            new PeakResult(width, FmaPeak.Flops(width) / StopwatchMeasurement.Of(() => FmaPeak.Run(width)).BestNs))];

    // The methods below touch TorchSharp; they are compiled only when first called, after the load fix.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<Action> WarmupGemms(List<IDisposable> owned)
    {
        TorchSharp.torch.set_num_threads(1);
        var workloads = new List<Action>();
        foreach (var gemmCase in GemmCase.All.Where(c => c.Product != GemmProduct.Square && Math.Min(c.M, c.K) <= SmallBatch))
        {
            var ours = new OurGemm(gemmCase);
            var torch = new TorchGemm(gemmCase);
            owned.Add(torch);
            workloads.Add(() => ours.Run());
            workloads.Add(torch.Run);
        }

        return workloads;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<Action> WarmupSteps(List<IDisposable> owned)
    {
        var workloads = new List<Action>();
        foreach (var threads in ThreadCounts)
        {
            foreach (var config in Enum.GetValues<StepConfig>())
            {
                var ours = new OurTrainingStep(config, SmallBatch, threads);
                var oursInShards = new OurTrainingStep(config, SmallBatch, threads, WarmupShardSize);
                var torch = new TorchTrainingStep(config, SmallBatch, threads);
                owned.Add(ours);
                owned.Add(oursInShards);
                owned.Add(torch);
                workloads.Add(() => ours.Run());
                workloads.Add(() => oursInShards.Run());
                workloads.Add(() =>
                {
                    torch.Activate();
                    torch.Run();
                });
            }
        }

        return workloads;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<GemmResult> MeasureGemms()
    {
        TorchSharp.torch.set_num_threads(1);
        var results = new List<GemmResult>();
        foreach (var gemmCase in GemmCase.All)
        {
            var ours = new OurGemm(gemmCase);
            using var torch = new TorchGemm(gemmCase);
            results.Add(new GemmResult(
                gemmCase,
                StopwatchMeasurement.Of(() => ours.Run()).BestNs,
                StopwatchMeasurement.Of(torch.Run).BestNs));
        }

        return results;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<StepResult> MeasureSteps()
    {
        var results = new List<StepResult>();
        foreach (var threads in ThreadCounts)
        {
            foreach (var config in Enum.GetValues<StepConfig>())
            {
                foreach (var batch in ReferenceMlp.BatchSizes)
                {
                    // One implementation alive at a time: idle worker threads of either must not
                    // compete for the cores while the other is timed.
                    StopwatchMeasurement ours, theirs;
                    using (var step = new OurTrainingStep(config, batch, threads))
                    {
                        ours = StopwatchMeasurement.Of(() => step.Run());
                    }

                    using (var torch = new TorchTrainingStep(config, batch, threads))
                    {
                        torch.Activate();
                        theirs = StopwatchMeasurement.Of(torch.Run);
                    }

                    results.Add(new StepResult(config, batch, threads, ours.BestNs, theirs.BestNs, ours.AllocatedBytesPerCall));
                }
            }
        }

        return results;
    }
}
