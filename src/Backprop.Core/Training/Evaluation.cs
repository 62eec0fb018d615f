namespace Backprop.Core.Training;

/// <summary>How a network does on a dataset.</summary>
/// <param name="MeanLoss">Mean per-sample loss.</param>
/// <param name="Accuracy">Fraction of samples whose arg-max output is their class; null when the data has no class labels.</param>
public sealed record Evaluation(double MeanLoss, double? Accuracy);
