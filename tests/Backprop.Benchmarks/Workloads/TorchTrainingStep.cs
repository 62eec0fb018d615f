using Backprop.Core.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Backprop.Benchmarks.Workloads;

/// <summary>
/// The same SGD step in libtorch (TorchSharp-cpu): the network as <c>Linear</c> layers in float32,
/// starting from the same weights as <see cref="OurTrainingStep"/>; forward, the loss with the same
/// meaning (MSE as ½Σ over outputs, mean over the batch; cross-entropy as <c>nll_loss</c> of
/// <c>log_softmax</c>, mean over the batch), autograd backward, <c>torch.optim.SGD</c> step.
/// </summary>
/// <remarks>Construct only after <see cref="NativeLoading.LibTorchSharpLoadFix.Apply"/>.</remarks>
public sealed class TorchTrainingStep : IDisposable
{
    private readonly StepConfig _config;
    private readonly int _threads;
    private readonly Sequential _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly Tensor _labels;
    private readonly double _inverseRows;

    /// <summary>Builds the network of <paramref name="config"/> for batches of <paramref name="batch"/> on <paramref name="threads"/> intra-op threads.</summary>
    public TorchTrainingStep(StepConfig config, int batch, int threads)
    {
        _config = config;
        _threads = threads;
        var spec = ReferenceMlp.Spec(config);
        var parameters = ParameterInitializer.Initialize(spec, ReferenceMlp.Seed).Parameters;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var l = 0; l < spec.Layers.Count; l++)
        {
            var layer = spec.Layers[l];
            var linear = nn.Linear(layer.Inputs, layer.Outputs);
            using (no_grad())
            {
                using var weights = tensor(parameters[layer.WeightOffset..layer.BiasOffset], [layer.Outputs, layer.Inputs]);
                using var biases = tensor(parameters[layer.BiasOffset..(layer.BiasOffset + layer.Outputs)], [layer.Outputs]);
                linear.weight!.copy_(weights);
                linear.bias!.copy_(biases);
            }

            layers.Add(($"linear{l}", linear));
            switch (layer.Activation)
            {
                case Activation.Sigmoid:
                    layers.Add(($"sigmoid{l}", nn.Sigmoid()));
                    break;
                case Activation.Relu:
                    layers.Add(($"relu{l}", nn.ReLU()));
                    break;
                case Activation.Softmax:
                    // Folded into the loss: log_softmax + nll_loss, as libtorch users write it.
                    break;
                default:
                    throw new NotSupportedException($"activation {layer.Activation} has no libtorch twin here");
            }
        }

        _model = nn.Sequential(layers);
        _optimizer = optim.SGD(_model.parameters(), ReferenceMlp.LearningRate);
        var data = new SyntheticBatch(batch, spec.InputSize, spec.OutputSize, ReferenceMlp.Seed);
        _inputs = tensor(data.Inputs, [batch, spec.InputSize]);
        _targets = tensor(data.Targets, [batch, spec.OutputSize]);
        _labels = tensor(data.Labels, [batch]);
        _inverseRows = 1.0 / batch;
    }

    /// <summary>Sets libtorch's intra-op thread count (process-wide) to this step's; call before measuring.</summary>
    public void Activate() => set_num_threads(_threads);

    /// <summary>Runs one step; every temporary tensor is disposed before it returns.</summary>
    public void Run()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var output = _model.forward(_inputs);
        var loss = _config == StepConfig.SigmoidMse
            ? (output - _targets).square().sum() * (0.5 * _inverseRows)
            : nn.functional.nll_loss(nn.functional.log_softmax(output, 1), _labels);
        loss.backward();
        _optimizer.step();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _inputs.Dispose();
        _targets.Dispose();
        _labels.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
