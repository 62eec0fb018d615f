using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Benchmarks.Workloads;

/// <summary>
/// One SGD step of Backprop.Core exactly as <c>Trainer</c> runs it: gradient sums over the batch on
/// the given number of threads, per micro-shard (<see cref="TrainingOptions.DefaultShardSize"/> rows
/// unless told otherwise) added along the gradient tree, each block of parameters updated by the optimizer step
/// on the same threads as soon as its sums are final (<see cref="Backpropagator.ComputeGradientSumsAndStep"/>),
/// which divides the sums by the batch size inside its update pass (float32 throughout).
/// </summary>
public sealed class OurTrainingStep : IDisposable
{
    private readonly Backpropagator _pass;
    private readonly int _shardSize;
    private readonly Optimizer _optimizer;
    private readonly LossKind _loss;
    private readonly SyntheticBatch _batch;
    private readonly float[] _parameters;
    private readonly float[] _gradientSums;

    /// <summary>
    /// Builds the network of <paramref name="config"/> for batches of <paramref name="batch"/> on <paramref name="threads"/>
    /// threads, summed per micro-shard of <paramref name="shardSize"/> rows.
    /// </summary>
    public OurTrainingStep(StepConfig config, int batch, int threads, int shardSize = TrainingOptions.DefaultShardSize)
    {
        var spec = ReferenceMlp.Spec(config);
        _shardSize = shardSize;
        _pass = new Backpropagator(spec, batch, threads, shardSize);
        _optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, ReferenceMlp.LearningRate), spec.ParameterCount);
        _loss = ReferenceMlp.Loss(config);
        _batch = new SyntheticBatch(batch, spec.InputSize, spec.OutputSize, ReferenceMlp.Seed);
        _parameters = ParameterInitializer.Initialize(spec, ReferenceMlp.Seed).Parameters;
        _gradientSums = new float[spec.ParameterCount];
    }

    /// <summary>Runs one step; returns the summed loss of the batch.</summary>
    public double Run()
    {
        var rows = _batch.Rows;
        return _pass.ComputeGradientSumsAndStep(
            _parameters, _loss, _batch.Inputs, _batch.Targets, rows, _shardSize, _gradientSums, _optimizer.BeginStep(rows, ReferenceMlp.LearningRate));
    }

    /// <summary>Stops the gradient threads.</summary>
    public void Dispose() => _pass.Dispose();
}
