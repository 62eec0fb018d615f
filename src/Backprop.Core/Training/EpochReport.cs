namespace Backprop.Core.Training;

/// <summary>What one epoch of training achieved.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean per-sample loss over the epoch's minibatches (weights as they were at each step).</param>
/// <param name="Test">Loss and accuracy on the test data after the epoch; null without test data.</param>
/// <param name="Elapsed">Wall time of the epoch's training steps.</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch.</param>
/// <param name="Stopping">Where early stopping stands after the epoch; null without it.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, Evaluation? Test, TimeSpan Elapsed, double SamplesPerSecond, EarlyStoppingReport? Stopping = null);
