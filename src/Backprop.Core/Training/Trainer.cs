using System.Diagnostics;
using Backprop.Core.Data;
using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;

namespace Backprop.Core.Training;

/// <summary>
/// Single-process minibatch training. Each step gathers the batch's samples, computes the summed
/// gradients with a <see cref="Backpropagator"/> (per micro-shard of <see cref="TrainingOptions.ShardSize"/>
/// rows, added along the <see cref="GradientTree"/>: the bits a cluster of any size computes), divides by
/// the batch's own size (the last batch of an epoch may be smaller) and applies the optimizer at the
/// schedule's learning rate.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly Network _network;
    private readonly DatasetSplit _data;
    private readonly TrainingOptions _options;
    private readonly Optimizer _optimizer;
    private readonly Backpropagator _pass;
    private readonly float[] _batchInputs;
    private readonly float[] _batchTargets;
    private readonly float[] _gradientSums;

    /// <summary>Prepares to train <paramref name="network"/> (updated in place) on <paramref name="data"/>.</summary>
    /// <exception cref="InvalidInputException">Bad options, or data that does not fit the network.</exception>
    public Trainer(Network network, DatasetSplit data, TrainingOptions options)
        : this(network, data, options, SimdPaths.Best)
    {
    }

    /// <summary>The same with the kernels on a given path (tests force each one: every path gives the same weights).</summary>
    internal Trainer(Network network, DatasetSplit data, TrainingOptions options, SimdPath path)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        LossKinds.EnsureCompatible(options.Loss, network.Spec.OutputActivation);
        CheckFits(network.Spec, data.Train, "--data");
        if (data.Test is not null)
        {
            CheckFits(network.Spec, data.Test, "--test-data");
        }

        EnsureValidationData(options, data);

        _network = network;
        _data = data;
        _options = options;
        var batchRows = Math.Min(options.BatchSize, data.Train.Count);
        var steps = new StepCursor(options, data.Train.Count);
        steps.Schedule.Validate();
        BatchesPerEpoch = steps.BatchesPerEpoch;
        _optimizer = Optimizer.Create(options.Optimizer, network.Spec.ParameterCount);
        _pass = new Backpropagator(network.Spec, batchRows, options.Threads, Math.Min(options.ShardSize, batchRows), path);
        _batchInputs = new float[batchRows * network.Spec.InputSize];
        _batchTargets = new float[batchRows * network.Spec.OutputSize];
        _gradientSums = new float[network.Spec.ParameterCount];
    }

    /// <summary>Optimizer steps per epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>
    /// Runs every epoch, yielding a report after each; <paramref name="onStep"/> hears about every step. With early
    /// stopping the run ends after the epoch whose report says it <see cref="EarlyStoppingReport.Stops"/>, and once it
    /// ends (stopped or not) the network holds the best epoch's weights.
    /// </summary>
    public IEnumerable<EpochReport> Run(Action<BatchProgress>? onStep = null, CancellationToken cancellation = default)
    {
        var cursor = new StepCursor(_options, _data.Train.Count);
        var stopping = _options.EarlyStoppingPatience > 0 ? new EarlyStopping(_options.EarlyStoppingPatience, _network.Spec.ParameterCount) : null;
        var clock = new Stopwatch();
        double lossSum = 0;
        var seen = 0;
        for (; !cursor.IsFinished; cursor.Advance())
        {
            cancellation.ThrowIfCancellationRequested();
            if (cursor.Batch == 0)
            {
                clock.Restart();
                lossSum = 0;
                seen = 0;
            }

            var indices = cursor.BatchIndices();
            lossSum += Step(indices, cursor.LearningRate);
            seen += indices.Length;
            onStep?.Invoke(new BatchProgress(cursor.Epoch + 1, cursor.Batch + 1, BatchesPerEpoch, lossSum / seen));
            if (cursor.IsLastBatchOfEpoch)
            {
                clock.Stop();
                var test = _data.Test is null ? null : Evaluator.Evaluate(_network, _data.Test, _options.Loss);
                // The weights go back to the best epoch's before the last report, so its reader sees the model kept.
                var stopped = stopping?.AfterEpoch(cursor.Epoch + 1, test!.MeanLoss, _network.Parameters, lastEpoch: cursor.Step + 1 == cursor.TotalSteps);
                yield return new EpochReport(cursor.Epoch + 1, lossSum / seen, test, clock.Elapsed, seen / clock.Elapsed.TotalSeconds, stopped);
                if (stopped is { Stops: true })
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Stops the gradient threads.</summary>
    public void Dispose() => _pass.Dispose();

    /// <summary>One optimizer step on the samples <paramref name="indices"/>; returns their summed loss.</summary>
    private double Step(ReadOnlySpan<int> indices, float learningRate)
    {
        var train = _data.Train;
        var rows = indices.Length;
        train.Gather(indices, _batchInputs, _batchTargets);

        return _pass.ComputeGradientSumsAndStep(
            _network.Parameters, _options.Loss,
            _batchInputs.AsSpan(0, rows * train.InputSize), _batchTargets.AsSpan(0, rows * train.TargetSize),
            rows, _options.ShardSize, _gradientSums, _optimizer.BeginStep(rows, learningRate));
    }

    /// <summary>
    /// Throws when <see cref="TrainingOptions.EarlyStoppingPatience"/> asks for early stopping and <paramref name="data"/> has
    /// no held-out part to watch.
    /// </summary>
    /// <exception cref="InvalidInputException">Early stopping without validation data.</exception>
    private static void EnsureValidationData(TrainingOptions options, DatasetSplit data)
    {
        if (options.EarlyStoppingPatience > 0 && data.Test is null)
        {
            throw new InvalidInputException("--early-stopping: needs validation data to watch; give --validation-split F as well");
        }
    }

    private static void CheckFits(NetworkSpec spec, Dataset data, string field)
    {
        if (data.Count == 0)
        {
            throw new InvalidInputException($"{field}: {data.Name} has no samples");
        }

        if (data.InputSize != spec.InputSize)
        {
            throw new InvalidInputException($"{field}: {data.Name} has {data.InputSize} features but the network takes {spec.InputSize} inputs");
        }

        if (data.TargetSize != spec.OutputSize)
        {
            throw new InvalidInputException($"{field}: {data.Name} has {data.TargetSize} targets but the network has {spec.OutputSize} outputs");
        }
    }
}
