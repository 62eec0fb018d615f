using System.Globalization;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Reporting;

/// <summary>
/// The end-of-run summary, as Markdown tables: the FMA peak, GEMM GFLOP/s and the training step's
/// samples/s, each beside libtorch with the throughput ratio ours/libtorch (&gt; 1: we are faster).
/// </summary>
public static class RatioReport
{
    /// <summary>Writes the report of <paramref name="results"/> to <paramref name="output"/>.</summary>
    public static void Print(TextWriter output, BenchmarkResults results)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(results);
        var peak = results.Peaks.Count == 0 ? (double?)null : results.Peaks.Max(p => p.Gflops);
        output.WriteLine();
        output.WriteLine("## Backprop.Distributed vs libtorch (ours/libtorch = our throughput ÷ libtorch's; > 1 means we are faster; throughput from median times)");
        output.WriteLine();
        PrintPeaks(output, results.Peaks, peak);
        PrintGemms(output, results.Gemms, peak);
        PrintSteps(output, results.Steps, peak);
    }

    private static void PrintPeaks(TextWriter output, IReadOnlyList<PeakResult> peaks, double? peak)
    {
        if (peaks.Count == 0)
        {
            output.WriteLine("FMA peak: not measured in this run, so no % peak columns (include PeakFmaBenchmark).");
            output.WriteLine();
            return;
        }

        output.WriteLine($"FMA peak of one core: {string.Join(", ", peaks.Select(p => $"{p.Width} {Format(p.Gflops, "F1")} GFLOP/s"))}; % peak below is of {Format(peak!.Value, "F1")} GFLOP/s × threads.");
        output.WriteLine();
    }

    private static void PrintGemms(TextWriter output, IReadOnlyList<GemmResult> gemms, double? peak)
    {
        if (gemms.Count == 0)
        {
            return;
        }

        output.WriteLine("### GEMM, 1 thread (m×k×n; GFLOP/s = 2mkn / time)");
        output.WriteLine();
        output.WriteLine("| product | ours GFLOP/s | ours % peak | libtorch GFLOP/s | libtorch % peak | ours/libtorch |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var gemm in gemms)
        {
            var ours = gemm.Case.Flops / gemm.OursNs;
            var torch = gemm.TorchNs is { } t ? gemm.Case.Flops / t : (double?)null;
            output.WriteLine($"| {gemm.Case} | {Format(ours, "F1")} | {Percent(ours, peak)} | {Format(torch, "F1")} | {Percent(torch, peak)} | {Ratio(ours, torch)} |");
        }

        output.WriteLine();
    }

    private static void PrintSteps(TextWriter output, IReadOnlyList<StepResult> steps, double? peak)
    {
        if (steps.Count == 0)
        {
            return;
        }

        output.WriteLine($"### Training step, 784-256-128-10, SGD float32 (GFLOP/s = 6 × {ReferenceMlp.ParameterCount:N0} parameters × batch / time)");
        output.WriteLine();
        output.WriteLine("| config | batch | threads | ours samples/s | libtorch samples/s | ours/libtorch | ours GFLOP/s | ours % peak | libtorch GFLOP/s | ours allocated/step |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var step in steps)
        {
            var ours = step.Batch / step.OursNs * 1e9;
            var torch = step.TorchNs is { } t ? step.Batch / t * 1e9 : (double?)null;
            var flops = ReferenceMlp.StepFlops(step.Batch);
            var oursGflops = flops / step.OursNs;
            var torchGflops = step.TorchNs is { } tt ? flops / tt : (double?)null;
            var threadPeak = peak * Math.Min(step.Threads, Environment.ProcessorCount);
            var allocated = step.OursAllocatedBytes is { } bytes ? $"{bytes} B" : "–";
            output.WriteLine(
                $"| {ReferenceMlp.Label(step.Config)} | {step.Batch} | {step.Threads} | {Format(ours, "N0")} | {Format(torch, "N0")} | {Ratio(ours, torch)} " +
                $"| {Format(oursGflops, "F1")} | {Percent(oursGflops, threadPeak)} | {Format(torchGflops, "F1")} | {allocated} |");
        }

        output.WriteLine();
    }

    private static string Format(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Percent(double? gflops, double? peak) =>
        gflops is { } g && peak is { } p ? (100 * g / p).ToString("F0", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Ratio(double ours, double? torch) =>
        torch is { } t ? (ours / t).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";
}
