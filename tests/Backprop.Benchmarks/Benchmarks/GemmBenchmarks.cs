using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Backprop.Benchmarks.Measurement;
using Backprop.Benchmarks.NativeLoading;
using Backprop.Benchmarks.Workloads;

namespace Backprop.Benchmarks.Benchmarks;

/// <summary>
/// Our <c>Gemm</c> products on the shapes of one training step, and 1024³, single thread, against
/// <c>torch.mm</c> on the same operands with libtorch on one thread (the baseline of each shape).
/// </summary>
public class GemmBenchmarks
{
    /// <summary>Largest dimension of the product that warms the JIT up (see <see cref="TieredJitWarmup"/>).</summary>
    private const int WarmupDimension = 64;

    private OurGemm? _ours;
    private TorchGemm? _torch;

    /// <summary>Every shape of <see cref="GemmCase.All"/>.</summary>
    public static IEnumerable<GemmCase> Cases => GemmCase.All;

    /// <summary>The product and shape.</summary>
    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = GemmCase.All[0];

    /// <summary>Allocates our operands and brings our code to tier-1 on a small instance of the product.</summary>
    [GlobalSetup(Target = nameof(Ours))]
    public void SetUpOurs()
    {
        var small = new OurGemm(Case.Clipped(WarmupDimension));
        TieredJitWarmup.Run([() => small.Run()]);
        _ours = new OurGemm(Case);
    }

    /// <summary>Makes libtorch loadable, then allocates its operands on one thread.</summary>
    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetUpLibTorch()
    {
        LibTorchSharpLoadFix.Apply(Console.WriteLine);
        CreateTorch();
    }

    /// <summary>C = the case's product, Backprop.Core.</summary>
    [Benchmark]
    public float Ours() => _ours!.Run();

    /// <summary>C = the case's product, libtorch.</summary>
    [Benchmark(Baseline = true)]
    public void LibTorch() => _torch!.Run();

    /// <summary>Frees libtorch's tensors.</summary>
    [GlobalCleanup]
    public void CleanUp() => _torch?.Dispose();

    // Kept out of SetUpLibTorch so that no TorchSharp type is touched before the fix has run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CreateTorch()
    {
        TorchSharp.torch.set_num_threads(1);
        using (var small = new TorchGemm(Case.Clipped(WarmupDimension)))
        {
            TieredJitWarmup.Run([small.Run]);
        }

        _torch = new TorchGemm(Case);
    }
}
