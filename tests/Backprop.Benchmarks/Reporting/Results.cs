using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Reporting;

/// <summary>One FMA peak measurement.</summary>
/// <param name="Width">Vector width of the loop.</param>
/// <param name="Gflops">Single-core GFLOP/s.</param>
public sealed record PeakResult(FmaWidth Width, double Gflops);

/// <summary>One GEMM shape, timed in both libraries.</summary>
/// <param name="Case">Product and shape.</param>
/// <param name="OursNs">Our median time per product, in ns.</param>
/// <param name="TorchNs">libtorch's median time per product, in ns, when measured.</param>
public sealed record GemmResult(GemmCase Case, double OursNs, double? TorchNs);

/// <summary>One training-step configuration, timed in both libraries.</summary>
/// <param name="Config">Activations and loss.</param>
/// <param name="Batch">Samples per step.</param>
/// <param name="Threads">Threads of both implementations.</param>
/// <param name="OursNs">Our median time per step, in ns.</param>
/// <param name="TorchNs">libtorch's median time per step, in ns, when measured.</param>
/// <param name="OursAllocatedBytes">Bytes our step allocates on the managed heap, when measured.</param>
public sealed record StepResult(StepConfig Config, int Batch, int Threads, double OursNs, double? TorchNs, long? OursAllocatedBytes);

/// <summary>Everything one run measured; any part may be empty when filtered out.</summary>
/// <param name="Peaks">FMA peaks.</param>
/// <param name="Gemms">GEMM shapes.</param>
/// <param name="Steps">Training steps.</param>
public sealed record BenchmarkResults(IReadOnlyList<PeakResult> Peaks, IReadOnlyList<GemmResult> Gemms, IReadOnlyList<StepResult> Steps);
