using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Benchmarks.Workloads;

/// <summary>The two training configurations every step benchmark runs.</summary>
public enum StepConfig
{
    /// <summary>Sigmoid hidden and output layers, loss ½Σ(y − a)² (the lecture's network).</summary>
    SigmoidMse,

    /// <summary>ReLU hidden layers, softmax output, categorical cross-entropy (the CLI's default).</summary>
    ReluSoftmaxCe,
}

/// <summary>The reference network of the benchmarks, 784-256-128-10 (MNIST), and its configurations.</summary>
public static class ReferenceMlp
{
    /// <summary>Neuron counts, input first.</summary>
    public static readonly int[] LayerSizes = [784, 256, 128, 10];

    /// <summary>Batch sizes the step benchmarks use.</summary>
    public static readonly int[] BatchSizes = [32, 128, 512];

    /// <summary>SGD learning rate of both implementations: small, so weights stay in range over millions of steps.</summary>
    public const float LearningRate = 1e-3f;

    /// <summary>Seed of the weights and of the synthetic batch.</summary>
    public const int Seed = 1;

    /// <summary>Weights and biases of the reference network (235,146).</summary>
    public static int ParameterCount => Spec(StepConfig.SigmoidMse).ParameterCount;

    /// <summary>The architecture for <paramref name="config"/>.</summary>
    public static NetworkSpec Spec(StepConfig config) => config switch
    {
        StepConfig.SigmoidMse => NetworkSpec.Create(784, [256, 128], 10, Activation.Sigmoid, Activation.Sigmoid),
        StepConfig.ReluSoftmaxCe => NetworkSpec.Create(784, [256, 128], 10, Activation.Relu, Activation.Softmax),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config, "unknown configuration"),
    };

    /// <summary>The loss for <paramref name="config"/>.</summary>
    public static LossKind Loss(StepConfig config) => config switch
    {
        StepConfig.SigmoidMse => LossKind.MeanSquaredError,
        StepConfig.ReluSoftmaxCe => LossKind.CrossEntropy,
        _ => throw new ArgumentOutOfRangeException(nameof(config), config, "unknown configuration"),
    };

    /// <summary>Short name for tables, e.g. <c>sigmoid+MSE</c>.</summary>
    public static string Label(StepConfig config) => config switch
    {
        StepConfig.SigmoidMse => "sigmoid+MSE",
        StepConfig.ReluSoftmaxCe => "relu+softmax+CE",
        _ => throw new ArgumentOutOfRangeException(nameof(config), config, "unknown configuration"),
    };

    /// <summary>
    /// The FLOP count convention for one training step: 6 × parameters × batch (2 for the forward
    /// products, 2 for the input-gradient products, 2 for the weight-gradient products).
    /// </summary>
    /// <remarks>An upper bound on the arithmetic actually done: neither implementation computes the
    /// gradient with respect to the network's input, which saves 2 × 784 × 256 × batch.</remarks>
    public static double StepFlops(int batch) => 6.0 * ParameterCount * batch;
}
