using Backprop.Core.Training;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// Where a run stands: the global step, its epoch and batch, and the batch's sample indices from the
/// epoch's seeded permutation — the same sequence the single-process <see cref="Trainer"/> walks.
/// </summary>
internal sealed class StepCursor
{
    private readonly TrainingOptions _options;
    private readonly int _sampleCount;
    private int[] _order = [];
    private int _orderEpoch = -1;

    public StepCursor(TrainingOptions options, int sampleCount)
    {
        _options = options;
        _sampleCount = sampleCount;
        BatchesPerEpoch = (sampleCount + options.BatchSize - 1) / options.BatchSize;
        TotalSteps = checked(BatchesPerEpoch * options.Epochs);
    }

    public int BatchesPerEpoch { get; }

    public int TotalSteps { get; }

    /// <summary>The next step to take (0-based over the whole run).</summary>
    public long Step { get; private set; }

    /// <summary>0-based epoch of <see cref="Step"/>.</summary>
    public int Epoch => (int)(Step / BatchesPerEpoch);

    /// <summary>0-based batch of <see cref="Step"/> within its epoch.</summary>
    public int Batch => (int)(Step % BatchesPerEpoch);

    public bool IsFinished => Step >= TotalSteps;

    public bool IsLastBatchOfEpoch => Batch == BatchesPerEpoch - 1;

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

    public void Advance() => Step++;
}
