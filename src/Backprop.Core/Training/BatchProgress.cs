namespace Backprop.Core.Training;

/// <summary>Progress inside an epoch, reported after each step.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Batch">Steps done in this epoch.</param>
/// <param name="BatchesPerEpoch">Steps in an epoch.</param>
/// <param name="MeanLossSoFar">Mean per-sample loss over this epoch's steps so far.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchesPerEpoch, double MeanLossSoFar);
