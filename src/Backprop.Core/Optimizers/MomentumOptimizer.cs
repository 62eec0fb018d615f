namespace Backprop.Core.Optimizers;

/// <summary>
/// Momentum: v ← μv + g (g including λθ), then θ ← θ − ηv, or with Nesterov θ ← θ − η(g + μv).
/// </summary>
public sealed class MomentumOptimizer(float momentum, bool nesterov, float weightDecay, int parameterCount) : Optimizer
{
    private readonly float[] _velocity = new float[parameterCount];

    /// <summary>The velocity buffer (for checkpoints).</summary>
    public ReadOnlySpan<float> Velocity => _velocity;

    /// <inheritdoc />
    public override void Step(Span<float> parameters, ReadOnlySpan<float> meanGradient, float learningRate)
    {
        CheckLengths(parameters, meanGradient, _velocity.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = meanGradient[i] + (weightDecay * parameters[i]);
            var v = (momentum * _velocity[i]) + g;
            _velocity[i] = v;
            parameters[i] -= learningRate * (nesterov ? g + (momentum * v) : v);
        }
    }
}
