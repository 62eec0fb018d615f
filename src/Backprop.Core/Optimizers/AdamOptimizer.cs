namespace Backprop.Core.Optimizers;

/// <summary>
/// Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η m̂ / (√v̂ + ε) with the bias-corrected
/// m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); g includes the L2 term λθ.
/// </summary>
public sealed class AdamOptimizer(float beta1, float beta2, float epsilon, float weightDecay, int parameterCount) : Optimizer
{
    private readonly float[] _firstMoment = new float[parameterCount];
    private readonly float[] _secondMoment = new float[parameterCount];

    /// <summary>Steps taken so far (t).</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    public override void Step(Span<float> parameters, ReadOnlySpan<float> meanGradient, float learningRate)
    {
        CheckLengths(parameters, meanGradient, _firstMoment.Length);
        StepCount++;
        var correction1 = (float)(1 - Math.Pow(beta1, StepCount));
        var correction2 = (float)(1 - Math.Pow(beta2, StepCount));
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = meanGradient[i] + (weightDecay * parameters[i]);
            var m = (beta1 * _firstMoment[i]) + ((1 - beta1) * g);
            var v = (beta2 * _secondMoment[i]) + ((1 - beta2) * g * g);
            _firstMoment[i] = m;
            _secondMoment[i] = v;
            parameters[i] -= learningRate * (m / correction1) / (MathF.Sqrt(v / correction2) + epsilon);
        }
    }
}
