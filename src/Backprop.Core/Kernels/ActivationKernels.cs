using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Core.Model;

namespace Backprop.Core.Kernels;

/// <summary>The activations σ and the products δ ⊙ σ'(z) of backpropagation.</summary>
/// <remarks>
/// The elementwise activations are our own (<see cref="SimdMath"/>), not TensorPrimitives': its scalar
/// and vector exp differ in the last bit, and so would a model trained on CPUs of different widths.
/// </remarks>
public static partial class ActivationKernels
{
    /// <summary>
    /// a = σ(z) for a row-major [rows × width] block; softmax works row by row, the others elementwise.
    /// <paramref name="z"/> and <paramref name="destination"/> may be the same memory. Each element's
    /// bits depend only on its own z (and for softmax its row), never on the block's length (a thread's
    /// or a shard's rows) or the CPU's vector width.
    /// </summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> z, Span<float> destination, int width) =>
        Apply(activation, z, destination, width, SimdPaths.Best);

    /// <summary><see cref="Apply(Activation, ReadOnlySpan{float}, Span{float}, int)"/> on a given path (tests force each one).</summary>
    internal static void Apply(Activation activation, ReadOnlySpan<float> z, Span<float> destination, int width, SimdPath path)
    {
        if (destination.Length != z.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} values, z has {z.Length}", nameof(destination));
        }

        switch (activation)
        {
            case Activation.Sigmoid:
                Elementwise<SigmoidFunction>(z, destination, path);
                break;
            case Activation.Tanh:
                Elementwise<TanhFunction>(z, destination, path);
                break;
            case Activation.Relu:
                Elementwise<ReluFunction>(z, destination, path);
                break;
            case Activation.Identity:
                z.CopyTo(destination);
                break;
            case Activation.Softmax:
                SoftmaxRows(z, destination, width, path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    /// <summary>Row-wise softmax, shifted by each row's maximum so that no exponent overflows.</summary>
    /// <remarks>a_k = e^{z_k − max z} / Σ_j e^{z_j − max z}, the sum taken left to right.</remarks>
    public static void SoftmaxRows(ReadOnlySpan<float> z, Span<float> destination, int width) =>
        SoftmaxRows(z, destination, width, SimdPaths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRows(ReadOnlySpan<float> z, Span<float> destination, int width, SimdPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (z.Length % width != 0)
        {
            throw new ArgumentException($"z has {z.Length} values, not a whole number of rows of {width}", nameof(z));
        }

        for (var start = 0; start < z.Length; start += width)
        {
            var zRow = z.Slice(start, width);
            var row = destination.Slice(start, width);
            var max = zRow[0];
            for (var j = 1; j < width; j++)
            {
                max = MathF.Max(max, zRow[j]);
            }

            for (var j = 0; j < width; j++)
            {
                row[j] = zRow[j] - max;
            }

            Elementwise<ExpFunction>(row, row, path);
            var sum = 0f;
            for (var j = 0; j < width; j++)
            {
                sum += row[j];
            }

            for (var j = 0; j < width; j++)
            {
                row[j] /= sum;
            }
        }
    }

    private static void Elementwise<TFunction>(ReadOnlySpan<float> z, Span<float> destination, SimdPath path)
        where TFunction : struct, IElementwiseFunction
    {
        switch (path)
        {
            case SimdPath.Vector512:
                Elementwise<TFunction, Simd512, Vector512<float>>(z, destination);
                break;
            case SimdPath.Vector256:
                Elementwise<TFunction, Simd256, Vector256<float>>(z, destination);
                break;
            case SimdPath.Vector128:
                Elementwise<TFunction, Simd128, Vector128<float>>(z, destination);
                break;
            default:
                Elementwise<TFunction, SimdScalar, float>(z, destination);
                break;
        }
    }

    /// <summary>Whole vectors, then the tail one float at a time with the same operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Elementwise<TFunction, TOps, TVector>(ReadOnlySpan<float> z, Span<float> destination)
        where TFunction : struct, IElementwiseFunction
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        ref var source = ref MemoryMarshal.GetReference(z);
        ref var target = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        for (; i + TOps.Width <= z.Length; i += TOps.Width)
        {
            TOps.Store(TFunction.Invoke<TOps, TVector>(TOps.Load(ref Unsafe.Add(ref source, i))), ref Unsafe.Add(ref target, i));
        }

        for (; i < z.Length; i++)
        {
            Unsafe.Add(ref target, i) = TFunction.Invoke<SimdScalar, float>(Unsafe.Add(ref source, i));
        }
    }

    /// <summary>One elementwise function, for any vector width.</summary>
    private interface IElementwiseFunction
    {
        static abstract TVector Invoke<TOps, TVector>(TVector x)
            where TOps : struct, ISimdOps<TVector>
            where TVector : struct;
    }

    private readonly struct SigmoidFunction : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x)
            where TOps : struct, ISimdOps<TVector>
            where TVector : struct => SimdMath.Sigmoid<TOps, TVector>(x);
    }

    private readonly struct TanhFunction : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x)
            where TOps : struct, ISimdOps<TVector>
            where TVector : struct => SimdMath.Tanh<TOps, TVector>(x);
    }

    private readonly struct ReluFunction : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x)
            where TOps : struct, ISimdOps<TVector>
            where TVector : struct => TOps.Max(x, TOps.Zero);
    }

    private readonly struct ExpFunction : IElementwiseFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TOps, TVector>(TVector x)
            where TOps : struct, ISimdOps<TVector>
            where TVector : struct => SimdMath.Exp<TOps, TVector>(x);
    }
}
