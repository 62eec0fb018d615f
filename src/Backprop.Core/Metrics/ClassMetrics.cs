namespace Backprop.Core.Metrics;

/// <summary>How a classifier does on one class.</summary>
/// <param name="Class">The class index (the network's output).</param>
/// <param name="Support">Samples whose true class it is.</param>
/// <param name="Predicted">Samples predicted as it.</param>
/// <param name="Precision">Of the samples predicted as the class, the share that are: TP ÷ (TP + FP); 0 when it was never predicted.</param>
/// <param name="Recall">Of the class's samples, the share predicted as it: TP ÷ (TP + FN); 0 when it has no samples.</param>
/// <param name="F1">The harmonic mean 2·P·R ÷ (P + R) of precision and recall; 0 when both are 0.</param>
public sealed record ClassMetrics(int Class, int Support, int Predicted, double Precision, double Recall, double F1);
