using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>destination = x + y elementwise: the additions of the gradient tree and the bias sums.</summary>
/// <remarks>
/// TensorPrimitives.Add computes the same bits, but it starts every run in tier-0 code (it cannot carry
/// <see cref="MethodImplOptions.AggressiveOptimization"/> for us), and it is called per row and per tree
/// node of every step: with it, epochs 2–6 of the reference run went at 100–108k samples/s against
/// 120–130k once everything had tiered up. One addition per element rounds alike at every width.
/// </remarks>
internal static class ElementwiseAdd
{
    /// <summary>destination[i] = x[i] + y[i]; <paramref name="destination"/> may be <paramref name="x"/> or <paramref name="y"/> itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (x.Length != destination.Length || y.Length != destination.Length)
        {
            throw new ArgumentException($"x ({x.Length}), y ({y.Length}) and destination ({destination.Length}) must have the same length", nameof(destination));
        }

        ref var xRef = ref MemoryMarshal.GetReference(x);
        ref var yRef = ref MemoryMarshal.GetReference(y);
        ref var dRef = ref MemoryMarshal.GetReference(destination);
        var length = destination.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= length; i += Vector512<float>.Count)
            {
                (Vector512.LoadUnsafe(ref xRef, (nuint)i) + Vector512.LoadUnsafe(ref yRef, (nuint)i)).StoreUnsafe(ref dRef, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
            {
                (Vector256.LoadUnsafe(ref xRef, (nuint)i) + Vector256.LoadUnsafe(ref yRef, (nuint)i)).StoreUnsafe(ref dRef, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<float>.Count <= length; i += Vector128<float>.Count)
            {
                (Vector128.LoadUnsafe(ref xRef, (nuint)i) + Vector128.LoadUnsafe(ref yRef, (nuint)i)).StoreUnsafe(ref dRef, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref dRef, i) = Unsafe.Add(ref xRef, i) + Unsafe.Add(ref yRef, i);
        }
    }
}
