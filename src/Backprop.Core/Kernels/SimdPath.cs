using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

/// <summary>Which vector width the kernels run with.</summary>
public enum SimdPath
{
    /// <summary>One float at a time (the reference every other path is tested against).</summary>
    Scalar,

    /// <summary>4 floats per instruction (SSE, or NEON on ARM64).</summary>
    Vector128,

    /// <summary>8 floats per instruction (AVX2).</summary>
    Vector256,

    /// <summary>16 floats per instruction (AVX-512).</summary>
    Vector512,
}

/// <summary>The widest path this CPU accelerates, chosen once at start-up.</summary>
/// <remarks>
/// Every path computes every element with the same operations in the same order (the dot products in
/// <see cref="Gemm.DotLanes"/> lanes whatever the vector width), so all give the same bits: a cluster may
/// mix CPUs of any width.
/// </remarks>
public static class SimdPaths
{
    /// <summary>The path the public kernel entry points use.</summary>
    public static SimdPath Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
        : SimdPath.Scalar;
}
