namespace Backprop.Cluster.Jobs;

/// <summary>Early stopping's state in a checkpoint (<see cref="Core.Training.EarlyStopping"/>).</summary>
/// <param name="BestEpoch">The 1-based epoch with the lowest validation loss so far (0: none yet).</param>
/// <param name="BestLoss">Its validation loss (+∞ before any).</param>
/// <param name="BestParameters">θ after that epoch (a copy).</param>
public sealed record EarlyStoppingCheckpoint(int BestEpoch, double BestLoss, float[] BestParameters);
