using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Core.Model;
using System.Runtime.CompilerServices;

namespace Backprop.Core.Kernels;

public static partial class ActivationKernels
{
    /// <summary>
    /// δ ← δ ⊙ σ'(z), with σ' written through the activation a = σ(z) (which the forward pass kept):
    /// sigmoid a(1 − a), tanh 1 − a², ReLU [a &gt; 0], identity 1. One fused pass over memory.
    /// Softmax is not elementwise: its Jacobian product belongs to the loss (see OutputDelta).
    /// </summary>
    public static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> activations, Span<float> deltas)
    {
        if (activations.Length != deltas.Length)
        {
            throw new ArgumentException($"activations has {activations.Length} values, deltas has {deltas.Length}", nameof(activations));
        }

        switch (activation)
        {
            case Activation.Sigmoid:
                SigmoidDerivativeProduct(activations, deltas);
                break;
            case Activation.Tanh:
                TanhDerivativeProduct(activations, deltas);
                break;
            case Activation.Relu:
                ReluDerivativeProduct(activations, deltas);
                break;
            case Activation.Identity:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "no elementwise derivative");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidDerivativeProduct(ReadOnlySpan<float> a, Span<float> delta)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(delta);
            for (var v = 0; v < va.Length; v++)
            {
                vd[v] = vd[v] * va[v] * (Vector<float>.One - va[v]);
            }

            i = va.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            delta[i] = delta[i] * a[i] * (1f - a[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TanhDerivativeProduct(ReadOnlySpan<float> a, Span<float> delta)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(delta);
            for (var v = 0; v < va.Length; v++)
            {
                vd[v] = vd[v] * (Vector<float>.One - (va[v] * va[v]));
            }

            i = va.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            delta[i] = delta[i] * (1f - (a[i] * a[i]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluDerivativeProduct(ReadOnlySpan<float> a, Span<float> delta)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(delta);
            for (var v = 0; v < va.Length; v++)
            {
                vd[v] = Vector.ConditionalSelect(Vector.GreaterThan(va[v], Vector<float>.Zero), vd[v], Vector<float>.Zero);
            }

            i = va.Length * Vector<float>.Count;
        }

        for (; i < a.Length; i++)
        {
            delta[i] = a[i] > 0f ? delta[i] : 0f;
        }
    }
}
