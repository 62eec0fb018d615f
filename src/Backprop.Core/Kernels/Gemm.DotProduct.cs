using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>Rows of A (and of B) per dot-product tile: 4 × 4 = 16 vector accumulators.</summary>
    private const int DotRows = 4;

    /// <summary>Rows of A per cache block: the block (DotBlockRows × k floats) stays in L2 while B streams past it.</summary>
    private const int DotBlockRows = 64;

    /// <summary>
    /// C[m×n] = A[m×k] · B[n×k]ᵀ with both operands read along their contiguous rows: a tile of 4 rows
    /// of A and 4 rows of B keeps 16 vector partial sums, reduces each to a scalar in a fixed lane order
    /// and adds the k tail with scalar FMAs, then the bias (when there is one) as the element is stored.
    /// </summary>
    private static void DotProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n, SimdPath path)
    {
        Span<float> noBias = stackalloc float[DotRows];
        noBias.Clear();
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        for (var i0 = 0; i0 < m; i0 += DotBlockRows)
        {
            var iEnd = Math.Min(m, i0 + DotBlockRows);
            for (var j = 0; j < n; j += DotRows)
            {
                var columns = Math.Min(DotRows, n - j);
                ref var tileBias = ref MemoryMarshal.GetReference(bias.IsEmpty ? noBias : bias[j..]);
                for (var i = i0; i < iEnd; i += DotRows)
                {
                    var rows = Math.Min(DotRows, iEnd - i);
                    switch (path)
                    {
                        case SimdPath.Vector512:
                            DotTile<Simd512, Vector512<float>>(ref aRef, ref bRef, ref tileBias, ref cRef, i, rows, j, columns, k, n);
                            break;
                        case SimdPath.Vector256:
                            DotTile<Simd256, Vector256<float>>(ref aRef, ref bRef, ref tileBias, ref cRef, i, rows, j, columns, k, n);
                            break;
                        default:
                            DotTile<SimdScalar, float>(ref aRef, ref bRef, ref tileBias, ref cRef, i, rows, j, columns, k, n);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// A 4 × 4 tile of C. Spare rows (of A) and columns (rows of B) in a partial tile repeat the last
    /// valid one and are not stored, so each stored element's arithmetic never depends on the tiling.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile<TOps, TVector>(ref float a, ref float b, ref float bias, ref float c, int i, int rows, int j, int columns, int k, int n)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        ref var a0 = ref Unsafe.Add(ref a, i * k);
        ref var a1 = ref Unsafe.Add(ref a, (i + Math.Min(1, rows - 1)) * k);
        ref var a2 = ref Unsafe.Add(ref a, (i + Math.Min(2, rows - 1)) * k);
        ref var a3 = ref Unsafe.Add(ref a, (i + Math.Min(3, rows - 1)) * k);
        ref var b0 = ref Unsafe.Add(ref b, j * k);
        ref var b1 = ref Unsafe.Add(ref b, (j + Math.Min(1, columns - 1)) * k);
        ref var b2 = ref Unsafe.Add(ref b, (j + Math.Min(2, columns - 1)) * k);
        ref var b3 = ref Unsafe.Add(ref b, (j + Math.Min(3, columns - 1)) * k);

        TVector s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVector s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TVector s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TVector s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        var w = TOps.Width;
        var vectorEnd = k - (k % w);
        for (var p = 0; p < vectorEnd; p += w)
        {
            var y0 = TOps.Load(ref Unsafe.Add(ref b0, p));
            var y1 = TOps.Load(ref Unsafe.Add(ref b1, p));
            var y2 = TOps.Load(ref Unsafe.Add(ref b2, p));
            var y3 = TOps.Load(ref Unsafe.Add(ref b3, p));
            var x = TOps.Load(ref Unsafe.Add(ref a0, p));
            s00 = TOps.MultiplyAdd(x, y0, s00);
            s01 = TOps.MultiplyAdd(x, y1, s01);
            s02 = TOps.MultiplyAdd(x, y2, s02);
            s03 = TOps.MultiplyAdd(x, y3, s03);
            x = TOps.Load(ref Unsafe.Add(ref a1, p));
            s10 = TOps.MultiplyAdd(x, y0, s10);
            s11 = TOps.MultiplyAdd(x, y1, s11);
            s12 = TOps.MultiplyAdd(x, y2, s12);
            s13 = TOps.MultiplyAdd(x, y3, s13);
            x = TOps.Load(ref Unsafe.Add(ref a2, p));
            s20 = TOps.MultiplyAdd(x, y0, s20);
            s21 = TOps.MultiplyAdd(x, y1, s21);
            s22 = TOps.MultiplyAdd(x, y2, s22);
            s23 = TOps.MultiplyAdd(x, y3, s23);
            x = TOps.Load(ref Unsafe.Add(ref a3, p));
            s30 = TOps.MultiplyAdd(x, y0, s30);
            s31 = TOps.MultiplyAdd(x, y1, s31);
            s32 = TOps.MultiplyAdd(x, y2, s32);
            s33 = TOps.MultiplyAdd(x, y3, s33);
        }

        ref var cRow = ref Unsafe.Add(ref c, (i * n) + j);
        StoreDotRow<TOps, TVector>(ref cRow, ref bias, columns, vectorEnd, k, ref a0, ref b0, ref b1, ref b2, ref b3, s00, s01, s02, s03);
        if (rows > 1)
        {
            StoreDotRow<TOps, TVector>(ref Unsafe.Add(ref cRow, n), ref bias, columns, vectorEnd, k, ref a1, ref b0, ref b1, ref b2, ref b3, s10, s11, s12, s13);
        }

        if (rows > 2)
        {
            StoreDotRow<TOps, TVector>(ref Unsafe.Add(ref cRow, 2 * n), ref bias, columns, vectorEnd, k, ref a2, ref b0, ref b1, ref b2, ref b3, s20, s21, s22, s23);
        }

        if (rows > 3)
        {
            StoreDotRow<TOps, TVector>(ref Unsafe.Add(ref cRow, 3 * n), ref bias, columns, vectorEnd, k, ref a3, ref b0, ref b1, ref b2, ref b3, s30, s31, s32, s33);
        }
    }

    /// <summary>Reduces one tile row's partial sums, adds the k tail and the bias, and stores the valid columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDotRow<TOps, TVector>(
        ref float cRow, ref float bias, int columns, int vectorEnd, int k, ref float aRow,
        ref float b0, ref float b1, ref float b2, ref float b3,
        TVector s0, TVector s1, TVector s2, TVector s3)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        cRow = DotTail(TOps.Sum(s0), ref aRow, ref b0, vectorEnd, k) + bias;
        if (columns > 1)
        {
            Unsafe.Add(ref cRow, 1) = DotTail(TOps.Sum(s1), ref aRow, ref b1, vectorEnd, k) + Unsafe.Add(ref bias, 1);
        }

        if (columns > 2)
        {
            Unsafe.Add(ref cRow, 2) = DotTail(TOps.Sum(s2), ref aRow, ref b2, vectorEnd, k) + Unsafe.Add(ref bias, 2);
        }

        if (columns > 3)
        {
            Unsafe.Add(ref cRow, 3) = DotTail(TOps.Sum(s3), ref aRow, ref b3, vectorEnd, k) + Unsafe.Add(ref bias, 3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotTail(float sum, ref float aRow, ref float bRow, int start, int k)
    {
        for (var p = start; p < k; p++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref aRow, p), Unsafe.Add(ref bRow, p), sum);
        }

        return sum;
    }
}
