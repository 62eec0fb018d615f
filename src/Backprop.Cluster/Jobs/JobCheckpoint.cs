using Backprop.Core.Optimizers;

namespace Backprop.Cluster.Jobs;

/// <summary>
/// Where a job stands after <paramref name="Step"/> optimizer steps: enough to continue it exactly. The epoch order
/// is a function of the seed and the epoch, so the step count alone places the run in it.
/// </summary>
/// <param name="Step">Optimizer steps taken; the resumed run takes step <paramref name="Step"/> next.</param>
/// <param name="Parameters">θ after those steps (a copy).</param>
/// <param name="Optimizer">The optimizer's state after those steps (copies).</param>
/// <param name="EpochLossSum">Loss summed over the samples of the current epoch's steps so far (for its report).</param>
/// <param name="EpochSamples">Samples of the current epoch's steps so far.</param>
/// <param name="Stopping">Early stopping's best epoch so far and its weights; null when the job does not stop early.</param>
public sealed record JobCheckpoint(long Step, float[] Parameters, OptimizerState Optimizer, double EpochLossSum, int EpochSamples, EarlyStoppingCheckpoint? Stopping = null);
