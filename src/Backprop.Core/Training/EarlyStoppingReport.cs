namespace Backprop.Core.Training;

/// <summary>Where early stopping stands after an epoch.</summary>
/// <param name="BestEpoch">The 1-based epoch with the lowest validation loss so far (0: none).</param>
/// <param name="BestLoss">Its validation loss.</param>
/// <param name="Stops">Whether the run stops after this epoch for want of a better loss; the model keeps <paramref name="BestEpoch"/>'s weights.</param>
public sealed record EarlyStoppingReport(int BestEpoch, double BestLoss, bool Stops);
