using System.Numerics.Tensors;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Benchmarks.Workloads;

/// <summary>
/// One SGD step of Backprop.Core exactly as <c>Trainer</c> runs it: gradient sums over the batch,
/// divided by the batch size, then <see cref="Optimizer.Step"/> (float32 throughout).
/// </summary>
public sealed class OurTrainingStep
{
    private readonly Backpropagator _pass;
    private readonly Optimizer _optimizer;
    private readonly LossKind _loss;
    private readonly SyntheticBatch _batch;
    private readonly float[] _parameters;
    private readonly float[] _gradient;

    /// <summary>Builds the network of <paramref name="config"/> for batches of <paramref name="batch"/> on <paramref name="threads"/> threads.</summary>
    public OurTrainingStep(StepConfig config, int batch, int threads)
    {
        var spec = ReferenceMlp.Spec(config);
        if (threads != 1)
        {
            // Backpropagator(spec, maxRows, threads) is not on this branch yet.
            throw new NotSupportedException($"{threads} threads: this Backpropagator computes on one thread only");
        }

        _pass = new Backpropagator(spec, batch);
        _optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, ReferenceMlp.LearningRate), spec.ParameterCount);
        _loss = ReferenceMlp.Loss(config);
        _batch = new SyntheticBatch(batch, spec.InputSize, spec.OutputSize, ReferenceMlp.Seed);
        _parameters = ParameterInitializer.Initialize(spec, ReferenceMlp.Seed).Parameters;
        _gradient = new float[spec.ParameterCount];
    }

    /// <summary>The weights the step starts from (shared with the libtorch twin so both start alike).</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>Runs one step; returns the summed loss of the batch.</summary>
    public double Run()
    {
        var rows = _batch.Rows;
        var lossSum = _pass.ComputeGradientSums(_parameters, _loss, _batch.Inputs, _batch.Targets, rows, _gradient);
        TensorPrimitives.Divide(_gradient, rows, _gradient);
        _optimizer.Step(_parameters, _gradient, ReferenceMlp.LearningRate);
        return lossSum;
    }
}
