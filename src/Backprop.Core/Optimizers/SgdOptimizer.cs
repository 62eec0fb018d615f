using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Core.Optimizers;

/// <summary>Plain gradient descent: θ ← θ − η (g + λθ).</summary>
public sealed class SgdOptimizer(float weightDecay) : Optimizer
{
    /// <inheritdoc />
    protected override int? StateLength => null;

    /// <inheritdoc />
    protected override IReadOnlyList<float[]> StateBuffers => [];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums, float sampleCount, float learningRate)
    {
        var theta = MemoryMarshal.Cast<float, Vector<float>>(parameters);
        var sums = MemoryMarshal.Cast<float, Vector<float>>(gradientSums);
        var count = new Vector<float>(sampleCount);
        var decay = new Vector<float>(weightDecay);
        var step = new Vector<float>(-learningRate);
        for (var v = 0; v < theta.Length; v++)
        {
            var g = Vector.FusedMultiplyAdd(decay, theta[v], sums[v] / count);
            theta[v] = Vector.FusedMultiplyAdd(step, g, theta[v]);
        }

        for (var i = theta.Length * Vector<float>.Count; i < parameters.Length; i++)
        {
            var g = MathF.FusedMultiplyAdd(weightDecay, parameters[i], gradientSums[i] / sampleCount);
            parameters[i] = MathF.FusedMultiplyAdd(-learningRate, g, parameters[i]);
        }
    }
}
