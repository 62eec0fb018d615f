using Backprop.Core.Optimizers;

namespace Backprop.Core.Training;

/// <summary>
/// Where a run stands: the global step, its epoch and batch, the batch's sample indices from the epoch's
/// seeded permutation, and the learning-rate schedule. The single-process <see cref="Trainer"/> and the
/// cluster's coordinator both walk a run with it, so they take the same steps in the same order.
/// </summary>
public sealed class StepCursor
{
    private readonly TrainingOptions _options;
    private readonly int _sampleCount;
    private int[] _order = [];
    private int _orderEpoch = -1;

    /// <summary>A cursor at the first step of a run of <paramref name="options"/> over <paramref name="sampleCount"/> samples.</summary>
    public StepCursor(TrainingOptions options, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        _options = options;
        _sampleCount = sampleCount;
        BatchesPerEpoch = (sampleCount + options.BatchSize - 1) / options.BatchSize;
        TotalSteps = checked(BatchesPerEpoch * options.Epochs);
        Schedule = new LearningRateSchedule(
            options.Schedule, options.Optimizer.LearningRate, BatchesPerEpoch, TotalSteps, options.DecayEveryEpochs, options.DecayFactor);
    }

    /// <summary>Optimizer steps per epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Optimizer steps of the whole run.</summary>
    public int TotalSteps { get; }

    /// <summary>The run's learning rate at each step (not yet validated: see <see cref="LearningRateSchedule.Validate"/>).</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The next step to take (0-based over the whole run).</summary>
    public long Step { get; private set; }

    /// <summary>0-based epoch of <see cref="Step"/>.</summary>
    public int Epoch => (int)(Step / BatchesPerEpoch);

    /// <summary>0-based batch of <see cref="Step"/> within its epoch.</summary>
    public int Batch => (int)(Step % BatchesPerEpoch);

    /// <summary>Whether every step has been taken.</summary>
    public bool IsFinished => Step >= TotalSteps;

    /// <summary>Whether <see cref="Step"/> ends its epoch.</summary>
    public bool IsLastBatchOfEpoch => Batch == BatchesPerEpoch - 1;

    /// <summary>The learning rate of <see cref="Step"/>.</summary>
    public float LearningRate => Schedule.RateAt(Step);

    /// <summary>The sample indices of <see cref="Step"/>'s minibatch (the last one of an epoch may be shorter).</summary>
    public ReadOnlySpan<int> BatchIndices()
    {
        if (_orderEpoch != Epoch)
        {
            _order = EpochOrder.For(_options.Seed, Epoch, _sampleCount, _options.Shuffle);
            _orderEpoch = Epoch;
        }

        var start = Batch * _options.BatchSize;
        return _order.AsSpan(start, Math.Min(_options.BatchSize, _order.Length - start));
    }

    /// <summary>Moves to the next step.</summary>
    public void Advance() => Step++;

    /// <summary>Moves to <paramref name="step"/> (a run resumed from a checkpoint taken after <paramref name="step"/> steps).</summary>
    public void MoveTo(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, TotalSteps);
        Step = step;
    }
}
