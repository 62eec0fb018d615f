using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Benchmarks.Workloads;

/// <summary>Vector width of the FMA peak loop.</summary>
public enum FmaWidth
{
    /// <summary>256-bit vectors, 8 floats (the width of <c>Vector&lt;float&gt;</c>, which our GEMM uses).</summary>
    Vector256,

    /// <summary>512-bit vectors, 16 floats.</summary>
    Vector512,
}

/// <summary>
/// The single-core FMA peak: twelve independent chains of fused multiply-adds, enough to cover the
/// FMA latency × the number of FMA pipes on current x64 cores (4 cycles × 2 pipes on Zen 4/5,
/// Golden Cove), so the loop is bound by FMA throughput alone.
/// </summary>
public static class FmaPeak
{
    /// <summary>Loop trips per call: 12 × 2¹⁷ FMAs, well under a millisecond, well over the timer's resolution.</summary>
    public const int Iterations = 1 << 17;

    private const int Chains = 12;

    /// <summary>Whether <paramref name="width"/> is accelerated on this machine.</summary>
    public static bool IsSupported(FmaWidth width) => width switch
    {
        FmaWidth.Vector256 => Vector256.IsHardwareAccelerated,
        FmaWidth.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Floating-point operations of one call: 2 per lane per FMA.</summary>
    public static double Flops(FmaWidth width) =>
        2.0 * Chains * Iterations * (width == FmaWidth.Vector512 ? Vector512<float>.Count : Vector256<float>.Count);

    /// <summary>Runs the loop once at <paramref name="width"/>; returns a value derived from every chain.</summary>
    public static float Run(FmaWidth width) => width == FmaWidth.Vector512 ? Run512(Iterations) : Run256(Iterations);

    // acc ← acc·0.999 + 0.001 converges to 1: no overflow, no denormals, whatever the trip count.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run512(int iterations)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(0.001f);
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y);
            a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y);
            a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y);
            a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y);
            a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y);
            a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y);
            a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run256(int iterations)
    {
        var x = Vector256.Create(0.999f);
        var y = Vector256.Create(0.001f);
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
            a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (var i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y);
            a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y);
            a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y);
            a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y);
            a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y);
            a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y);
            a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
