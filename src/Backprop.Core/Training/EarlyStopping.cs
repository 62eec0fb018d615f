namespace Backprop.Core.Training;

/// <summary>
/// Early stopping on the validation loss: remembers the epoch with the lowest loss so far and a copy of its weights, and
/// says when <see cref="Patience"/> epochs have passed without a lower one. The single-process <see cref="Trainer"/> and
/// the cluster's coordinator both decide with it, so they stop after the same epoch and keep the same weights.
/// </summary>
/// <remarks>
/// Only a strictly lower loss is better, so a tie keeps the earlier epoch. A loss that is NaN is never better. When no
/// epoch was better than +∞ (every loss NaN) there are no best weights, and <see cref="CopyBestTo"/> leaves the last ones.
/// </remarks>
public sealed class EarlyStopping
{
    private readonly float[] _best;

    /// <summary>Watches a run of a network with <paramref name="parameterCount"/> parameters.</summary>
    /// <param name="patience">Epochs without a better validation loss after which to stop, ≥ 1.</param>
    /// <param name="parameterCount">The size of the network's parameter buffer.</param>
    public EarlyStopping(int patience, int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        Patience = patience;
        _best = new float[parameterCount];
    }

    /// <summary>Epochs without a better validation loss after which the run stops.</summary>
    public int Patience { get; }

    /// <summary>The 1-based epoch with the lowest validation loss so far; 0 before any.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The lowest validation loss so far; +∞ before any.</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>The weights after <see cref="BestEpoch"/> (all zero before any).</summary>
    public ReadOnlySpan<float> BestParameters => _best;

    /// <summary>
    /// Records epoch <paramref name="epoch"/> (1-based), whose weights <paramref name="parameters"/> scored
    /// <paramref name="validationLoss"/>, and returns where the run stands after it.
    /// </summary>
    public EarlyStoppingReport Observe(int epoch, double validationLoss, ReadOnlySpan<float> parameters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(epoch, BestEpoch);
        if (parameters.Length != _best.Length)
        {
            throw new ArgumentException($"{parameters.Length} parameters, expected {_best.Length}", nameof(parameters));
        }

        if (validationLoss < BestLoss)
        {
            BestEpoch = epoch;
            BestLoss = validationLoss;
            parameters.CopyTo(_best);
        }

        return new EarlyStoppingReport(BestEpoch, BestLoss, epoch - BestEpoch >= Patience);
    }

    /// <summary>
    /// <see cref="Observe"/>s epoch <paramref name="epoch"/> of a run whose weights are <paramref name="parameters"/>, and
    /// when the run ends after it (it stops here, or <paramref name="lastEpoch"/>) puts the best epoch's weights back into
    /// <paramref name="parameters"/>: what the trainer and the cluster's coordinator do after evaluating each epoch.
    /// </summary>
    public EarlyStoppingReport AfterEpoch(int epoch, double validationLoss, Span<float> parameters, bool lastEpoch)
    {
        var report = Observe(epoch, validationLoss, parameters);
        if (report.Stops || lastEpoch)
        {
            CopyBestTo(parameters);
        }

        return report;
    }

    /// <summary>Sets the state a checkpoint recorded (a resumed run continues from it exactly).</summary>
    public void Restore(int bestEpoch, double bestLoss, ReadOnlySpan<float> bestParameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bestEpoch);
        if (bestParameters.Length != _best.Length)
        {
            throw new ArgumentException($"{bestParameters.Length} parameters, expected {_best.Length}", nameof(bestParameters));
        }

        BestEpoch = bestEpoch;
        BestLoss = bestLoss;
        bestParameters.CopyTo(_best);
    }

    /// <summary>Copies the best epoch's weights into <paramref name="parameters"/>; without a best epoch leaves them as they are.</summary>
    public void CopyBestTo(Span<float> parameters)
    {
        if (BestEpoch > 0)
        {
            _best.CopyTo(parameters);
        }
    }
}
