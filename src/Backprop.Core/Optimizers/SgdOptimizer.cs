namespace Backprop.Core.Optimizers;

/// <summary>Plain gradient descent: θ ← θ − η (g + λθ).</summary>
public sealed class SgdOptimizer(float weightDecay) : Optimizer
{
    /// <inheritdoc />
    public override void Step(Span<float> parameters, ReadOnlySpan<float> meanGradient, float learningRate)
    {
        CheckLengths(parameters, meanGradient, -1);
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = meanGradient[i] + (weightDecay * parameters[i]);
            parameters[i] -= learningRate * g;
        }
    }
}
