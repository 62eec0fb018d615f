using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Core.Optimizers;

/// <summary>
/// Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − η m̂ / (√v̂ + ε) with the bias-corrected
/// m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); g includes the L2 term λθ.
/// </summary>
public sealed class AdamOptimizer(float beta1, float beta2, float epsilon, float weightDecay, int parameterCount) : Optimizer
{
    private readonly float[] _firstMoment = new float[parameterCount];
    private readonly float[] _secondMoment = new float[parameterCount];

    /// <summary>Steps begun so far (t), each counted once however many slices it is applied in.</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc />
    protected override int? StateLength => _firstMoment.Length;

    /// <inheritdoc />
    protected override IReadOnlyList<float[]> StateBuffers => [_firstMoment, _secondMoment];

    /// <inheritdoc />
    protected override long StateSteps
    {
        get => StepCount;
        set => StepCount = value;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums, float sampleCount, float learningRate)
    {
        var correction1 = (float)(1 - Math.Pow(beta1, StepCount));
        var correction2 = (float)(1 - Math.Pow(beta2, StepCount));
        var keep1 = 1 - beta1;
        var keep2 = 1 - beta2;

        var theta = MemoryMarshal.Cast<float, Vector<float>>(parameters);
        var sums = MemoryMarshal.Cast<float, Vector<float>>(gradientSums);
        var firstState = _firstMoment.AsSpan(offset, parameters.Length);
        var secondState = _secondMoment.AsSpan(offset, parameters.Length);
        var first = MemoryMarshal.Cast<float, Vector<float>>(firstState);
        var second = MemoryMarshal.Cast<float, Vector<float>>(secondState);
        var count = new Vector<float>(sampleCount);
        for (var i = 0; i < theta.Length; i++)
        {
            var g = Vector.FusedMultiplyAdd(new Vector<float>(weightDecay), theta[i], sums[i] / count);
            var m = Vector.FusedMultiplyAdd(new Vector<float>(beta1), first[i], new Vector<float>(keep1) * g);
            var v = Vector.FusedMultiplyAdd(new Vector<float>(beta2), second[i], new Vector<float>(keep2) * g * g);
            first[i] = m;
            second[i] = v;
            var denominator = Vector.SquareRoot(v / new Vector<float>(correction2)) + new Vector<float>(epsilon);
            theta[i] -= new Vector<float>(learningRate) * (m / new Vector<float>(correction1)) / denominator;
        }

        for (var i = theta.Length * Vector<float>.Count; i < parameters.Length; i++)
        {
            var g = MathF.FusedMultiplyAdd(weightDecay, parameters[i], gradientSums[i] / sampleCount);
            var m = MathF.FusedMultiplyAdd(beta1, firstState[i], keep1 * g);
            var v = MathF.FusedMultiplyAdd(beta2, secondState[i], keep2 * g * g);
            firstState[i] = m;
            secondState[i] = v;
            var denominator = MathF.Sqrt(v / correction2) + epsilon;
            parameters[i] -= learningRate * (m / correction1) / denominator;
        }
    }
}
