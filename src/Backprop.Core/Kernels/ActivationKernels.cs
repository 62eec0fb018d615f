using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Backprop.Core.Model;

namespace Backprop.Core.Kernels;

/// <summary>The activations σ and the products δ ⊙ σ'(z) of backpropagation.</summary>
public static partial class ActivationKernels
{
    /// <summary>
    /// Spans shorter than this go through TensorPrimitives' scalar code, whose exp differs from the
    /// vectorised one in the last bit for about a quarter of sigmoid inputs (half of tanh inputs).
    /// </summary>
    private static readonly int ShortestVectorisedLength = Vector128<float>.Count;

    /// <summary>
    /// a = σ(z) for a row-major [rows × width] block; softmax works row by row, the others elementwise.
    /// <paramref name="z"/> and <paramref name="destination"/> may be the same memory. Each element's
    /// bits depend only on its own z, never on the block's length (a thread's or a shard's rows).
    /// </summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> z, Span<float> destination, int width)
    {
        if (destination.Length != z.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} values, z has {z.Length}", nameof(destination));
        }

        if (z.IsEmpty)
        {
            return; // TensorPrimitives.Sigmoid rejects empty spans
        }

        switch (activation)
        {
            case Activation.Sigmoid or Activation.Tanh when z.Length < ShortestVectorisedLength:
                ApplyPadded(activation, z, destination, width);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(z, destination);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(z, destination);
                break;
            case Activation.Relu:
                TensorPrimitives.Max(z, 0f, destination);
                break;
            case Activation.Identity:
                z.CopyTo(destination);
                break;
            case Activation.Softmax:
                SoftmaxRows(z, destination, width);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>An elementwise activation of a span too short for the vector code, computed in a zero-padded copy that is long enough.</summary>
    private static void ApplyPadded(Activation activation, ReadOnlySpan<float> z, Span<float> destination, int width)
    {
        Span<float> padded = stackalloc float[ShortestVectorisedLength];
        padded.Clear();
        z.CopyTo(padded);
        Apply(activation, padded, padded, width);
        padded[..z.Length].CopyTo(destination);
    }

    /// <summary>Row-wise softmax, shifted by each row's maximum so that no exponent overflows.</summary>
    /// <remarks>a_k = e^{z_k − max z} / Σ_j e^{z_j − max z}.</remarks>
    public static void SoftmaxRows(ReadOnlySpan<float> z, Span<float> destination, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (z.Length % width != 0)
        {
            throw new ArgumentException($"z has {z.Length} values, not a whole number of rows of {width}", nameof(z));
        }

        for (var start = 0; start < z.Length; start += width)
        {
            var row = destination.Slice(start, width);
            var max = TensorPrimitives.Max(z.Slice(start, width));
            TensorPrimitives.Subtract(z.Slice(start, width), max, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
        }
    }
}
