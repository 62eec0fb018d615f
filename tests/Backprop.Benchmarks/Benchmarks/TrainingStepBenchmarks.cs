using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Backprop.Benchmarks.Measurement;
using Backprop.Benchmarks.NativeLoading;
using Backprop.Benchmarks.Workloads;
using Backprop.Core.Training;

namespace Backprop.Benchmarks.Benchmarks;

/// <summary>
/// One SGD training step of the 784-256-128-10 network (forward, loss, backward, mean, update) in
/// Backprop.Core and in libtorch (the baseline) at the same batch size and thread count.
/// </summary>
public class TrainingStepBenchmarks
{
    /// <summary>Batch of the step that warms the JIT up (see <see cref="TieredJitWarmup"/>).</summary>
    private const int WarmupBatch = 32;

    /// <summary>Shard size of the warm-up step when the timed one has several shards: it takes the same code (the gradient tree).</summary>
    private const int WarmupShardSize = WarmupBatch / 4;

    private OurTrainingStep? _ours;
    private TorchTrainingStep? _torch;

    /// <summary>Activations and loss.</summary>
    [Params(StepConfig.SigmoidMse, StepConfig.ReluSoftmaxCe)]
    public StepConfig Config { get; set; }

    /// <summary>Samples per step.</summary>
    [Params(32, 128, 512)]
    public int Batch { get; set; }

    /// <summary>Threads of both implementations (the machine the numbers come from has 2 cores).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds our network, buffers and batch, after bringing our code to tier-1 on a small batch.</summary>
    [GlobalSetup(Target = nameof(Ours))]
    public void SetUpOurs()
    {
        var shardSize = Batch > TrainingOptions.DefaultShardSize ? WarmupShardSize : TrainingOptions.DefaultShardSize;
        using (var small = new OurTrainingStep(Config, Math.Min(Batch, WarmupBatch), Threads, shardSize))
        {
            TieredJitWarmup.Run([() => small.Run()]);
        }

        _ours = new OurTrainingStep(Config, Batch, Threads);
    }

    /// <summary>Makes libtorch loadable, then builds its twin of the network.</summary>
    [GlobalSetup(Target = nameof(LibTorch))]
    public void SetUpLibTorch()
    {
        LibTorchSharpLoadFix.Apply(Console.WriteLine);
        CreateTorch();
    }

    /// <summary>One step of Backprop.Core; returns the summed loss.</summary>
    [Benchmark]
    public double Ours() => _ours!.Run();

    /// <summary>One step of libtorch.</summary>
    [Benchmark(Baseline = true)]
    public void LibTorch() => _torch!.Run();

    /// <summary>Stops our threads and frees libtorch's tensors.</summary>
    [GlobalCleanup]
    public void CleanUp()
    {
        _ours?.Dispose();
        _torch?.Dispose();
    }

    // Kept out of SetUpLibTorch so that no TorchSharp type is touched before the fix has run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CreateTorch()
    {
        using (var small = new TorchTrainingStep(Config, Math.Min(Batch, WarmupBatch), Threads))
        {
            small.Activate();
            TieredJitWarmup.Run([small.Run]);
        }

        _torch = new TorchTrainingStep(Config, Batch, Threads);
        _torch.Activate();
    }
}
