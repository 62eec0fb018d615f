namespace Backprop.Core.Optimizers;

/// <summary>
/// What an optimizer carries from step to step, for checkpoints: its step count (Adam's t) and its buffers
/// (momentum's velocity; Adam's first and second moments), each in the parameters' layout.
/// </summary>
/// <param name="StepCount">Steps the optimizer has counted; 0 for one that counts none.</param>
/// <param name="Buffers">Copies of the state buffers, in the optimizer's order; empty for plain SGD.</param>
public sealed record OptimizerState(long StepCount, IReadOnlyList<float[]> Buffers);
