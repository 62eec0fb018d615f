using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    protected override int? StateLength => _velocity.Length;

    /// <inheritdoc />
    protected override IReadOnlyList<float[]> StateBuffers => [_velocity];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums, float sampleCount, float learningRate)
    {
        var theta = MemoryMarshal.Cast<float, Vector<float>>(parameters);
        var sums = MemoryMarshal.Cast<float, Vector<float>>(gradientSums);
        var velocityState = _velocity.AsSpan(offset, parameters.Length);
        var velocity = MemoryMarshal.Cast<float, Vector<float>>(velocityState);
        var count = new Vector<float>(sampleCount);
        var decay = new Vector<float>(weightDecay);
        var mu = new Vector<float>(momentum);
        var step = new Vector<float>(-learningRate);
        for (var i = 0; i < theta.Length; i++)
        {
            var g = Vector.FusedMultiplyAdd(decay, theta[i], sums[i] / count);
            var v = Vector.FusedMultiplyAdd(mu, velocity[i], g);
            velocity[i] = v;
            theta[i] = Vector.FusedMultiplyAdd(step, nesterov ? Vector.FusedMultiplyAdd(mu, v, g) : v, theta[i]);
        }

        for (var i = theta.Length * Vector<float>.Count; i < parameters.Length; i++)
        {
            var g = MathF.FusedMultiplyAdd(weightDecay, parameters[i], gradientSums[i] / sampleCount);
            var v = MathF.FusedMultiplyAdd(momentum, velocityState[i], g);
            velocityState[i] = v;
            parameters[i] = MathF.FusedMultiplyAdd(-learningRate, nesterov ? MathF.FusedMultiplyAdd(momentum, v, g) : v, parameters[i]);
        }
    }
}
