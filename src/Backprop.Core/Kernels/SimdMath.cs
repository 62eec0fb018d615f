using System.Runtime.CompilerServices;

namespace Backprop.Core.Kernels;

/// <summary>
/// e^x, the logistic sigmoid and tanh of one vector, written once over <see cref="ISimdOps{TVector}"/>:
/// every width, and the scalar code of a span's tail, computes each lane with the same float operations,
/// so an activation's bits depend neither on the CPU nor on where an element falls in its span.
/// </summary>
/// <remarks>
/// e^x follows Cephes' <c>expf</c>: n = round(x·log₂e), r = x − n·ln 2 (ln 2 in two parts, each product
/// fused), e^r ≈ 1 + r + r²·P(r) with a degree-5 P, then e^x = 2ⁿ·e^r. Within 2 ulp of e^x (1.5 in
/// practice), and 0 or ∞ exactly where e^x under- or overflows.
/// </remarks>
internal static class SimdMath
{
    /// <summary>log₂ e.</summary>
    private const float Log2E = 1.44269504088896341f;

    /// <summary>ln 2 to 9 bits, so that n·Ln2High is exact for every n used.</summary>
    private const float Ln2High = 0.693359375f;

    /// <summary>ln 2 − <see cref="Ln2High"/>.</summary>
    private const float Ln2Low = -2.12194440e-4f;

    /// <summary>1.5·2²³: adding it and subtracting it again rounds a float below 2²² to a whole number, ties to even.</summary>
    private const float RoundingShifter = 12582912f;

    /// <summary>Below this e^x is less than half the smallest subnormal float: the result is 0.</summary>
    private const float ExpLowest = -104f;

    /// <summary>Above this e^x exceeds <see cref="float.MaxValue"/>: the result is ∞.</summary>
    private const float ExpHighest = 89f;

    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>e^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp<TOps, TVector>(TVector x)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        x = TOps.Min(TOps.Max(x, TOps.Broadcast(ExpLowest)), TOps.Broadcast(ExpHighest));
        var shifter = TOps.Broadcast(RoundingShifter);
        var n = TOps.Subtract(TOps.MultiplyAdd(x, TOps.Broadcast(Log2E), shifter), shifter);
        var r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2High), x);
        r = TOps.MultiplyAdd(n, TOps.Broadcast(-Ln2Low), r);
        var p = TOps.MultiplyAdd(TOps.Broadcast(P0), r, TOps.Broadcast(P1));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(P2));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(P3));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(P4));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(P5));
        var y = TOps.Add(TOps.MultiplyAdd(p, TOps.Multiply(r, r), r), TOps.Broadcast(1f));
        return TOps.ScaleByPowerOfTwo(y, n);
    }

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Sigmoid<TOps, TVector>(TVector x)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        var one = TOps.Broadcast(1f);
        return TOps.Divide(one, TOps.Add(one, Exp<TOps, TVector>(TOps.Subtract(TOps.Zero, x))));
    }

    /// <summary>tanh x = sign(x)·(−z / (z + 2)) with z = e^(−2|x|) − 1 (the form of TensorPrimitives' <c>Tanh</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Tanh<TOps, TVector>(TVector x)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        var z = TOps.Subtract(Exp<TOps, TVector>(TOps.Multiply(TOps.Abs(x), TOps.Broadcast(-2f))), TOps.Broadcast(1f));
        var magnitude = TOps.Divide(TOps.Subtract(TOps.Zero, z), TOps.Add(z, TOps.Broadcast(2f)));
        return TOps.CopySign(magnitude, x);
    }
}
