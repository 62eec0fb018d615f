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
    /// Partial sums of every dot product, whatever the vector width: term p goes to lane p mod 16 (one
    /// Vector512, two Vector256, four Vector128 or 16 floats), so all paths add the same terms in the same order.
    /// </summary>
    internal const int DotLanes = 16;

    /// <summary>
    /// C[m×n] = A[m×k] · B[n×k]ᵀ with both operands read along their contiguous rows: a tile of 4 rows
    /// of A and 4 rows of B keeps 16 vector partial sums. Each element accumulates the terms below
    /// k − k mod <see cref="DotLanes"/> in <see cref="DotLanes"/> lanes (lane l: terms p ≡ l, in order),
    /// adds the lanes pairwise, halves first (l + l+8, then + l+4, then (0+2) + (1+3)), adds the k tail
    /// with scalar FMAs, then the bias (when there is one) as the element is stored. A path narrower than
    /// the lanes makes one pass per vector of lanes and keeps each pass's sums in a scratch tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n, SimdPath path)
    {
        Span<float> noBias = stackalloc float[DotRows];
        noBias.Clear();
        Span<float> lanes = stackalloc float[DotRows * DotRows * DotLanes];
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        ref var lanesRef = ref MemoryMarshal.GetReference(lanes);
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
                            DotTile<Simd512, Vector512<float>>(ref aRef, ref bRef, ref tileBias, ref cRef, ref lanesRef, i, rows, j, columns, k, n);
                            break;
                        case SimdPath.Vector256:
                            DotTile<Simd256, Vector256<float>>(ref aRef, ref bRef, ref tileBias, ref cRef, ref lanesRef, i, rows, j, columns, k, n);
                            break;
                        case SimdPath.Vector128:
                            DotTile<Simd128, Vector128<float>>(ref aRef, ref bRef, ref tileBias, ref cRef, ref lanesRef, i, rows, j, columns, k, n);
                            break;
                        default:
                            DotTile<SimdScalar, float>(ref aRef, ref bRef, ref tileBias, ref cRef, ref lanesRef, i, rows, j, columns, k, n);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// A 4 × 4 tile of C. Spare rows (of A) and columns (rows of B) in a partial tile repeat the last
    /// valid one and are not stored, so each stored element's arithmetic never depends on the tiling.
    /// <paramref name="lanes"/> is room for the 16 elements' <see cref="DotLanes"/> partial sums when
    /// a vector holds fewer lanes than that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile<TOps, TVector>(ref float a, ref float b, ref float bias, ref float c, ref float lanes, int i, int rows, int j, int columns, int k, int n)
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
        var w = TOps.Width;
        var vectorEnd = k - (k % DotLanes);
        ref var cRow = ref Unsafe.Add(ref c, (i * n) + j);

        // One pass per vector of lanes: a single one when a vector holds them all (then the sums are
        // reduced straight from the registers), else each pass keeps its sums in the scratch tile.
        for (var lane = 0; lane < DotLanes; lane += w)
        {
            TVector s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
            TVector s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
            TVector s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
            TVector s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
            for (var p = lane; p < vectorEnd; p += DotLanes)
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

            if (w == DotLanes)
            {
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

                return;
            }

            // Element (r, c) of the tile keeps its lanes at lanes[(4r + c)·DotLanes ..].
            ref var pass = ref Unsafe.Add(ref lanes, lane);
            TOps.Store(s00, ref pass);
            TOps.Store(s01, ref Unsafe.Add(ref pass, DotLanes));
            TOps.Store(s02, ref Unsafe.Add(ref pass, 2 * DotLanes));
            TOps.Store(s03, ref Unsafe.Add(ref pass, 3 * DotLanes));
            TOps.Store(s10, ref Unsafe.Add(ref pass, 4 * DotLanes));
            TOps.Store(s11, ref Unsafe.Add(ref pass, 5 * DotLanes));
            TOps.Store(s12, ref Unsafe.Add(ref pass, 6 * DotLanes));
            TOps.Store(s13, ref Unsafe.Add(ref pass, 7 * DotLanes));
            TOps.Store(s20, ref Unsafe.Add(ref pass, 8 * DotLanes));
            TOps.Store(s21, ref Unsafe.Add(ref pass, 9 * DotLanes));
            TOps.Store(s22, ref Unsafe.Add(ref pass, 10 * DotLanes));
            TOps.Store(s23, ref Unsafe.Add(ref pass, 11 * DotLanes));
            TOps.Store(s30, ref Unsafe.Add(ref pass, 12 * DotLanes));
            TOps.Store(s31, ref Unsafe.Add(ref pass, 13 * DotLanes));
            TOps.Store(s32, ref Unsafe.Add(ref pass, 14 * DotLanes));
            TOps.Store(s33, ref Unsafe.Add(ref pass, 15 * DotLanes));
        }

        StoreFoldedRow(ref cRow, ref bias, columns, vectorEnd, k, ref a0, ref b0, ref b1, ref b2, ref b3, ref lanes);
        if (rows > 1)
        {
            StoreFoldedRow(ref Unsafe.Add(ref cRow, n), ref bias, columns, vectorEnd, k, ref a1, ref b0, ref b1, ref b2, ref b3, ref Unsafe.Add(ref lanes, DotRows * DotLanes));
        }

        if (rows > 2)
        {
            StoreFoldedRow(ref Unsafe.Add(ref cRow, 2 * n), ref bias, columns, vectorEnd, k, ref a2, ref b0, ref b1, ref b2, ref b3, ref Unsafe.Add(ref lanes, 2 * DotRows * DotLanes));
        }

        if (rows > 3)
        {
            StoreFoldedRow(ref Unsafe.Add(ref cRow, 3 * n), ref bias, columns, vectorEnd, k, ref a3, ref b0, ref b1, ref b2, ref b3, ref Unsafe.Add(ref lanes, 3 * DotRows * DotLanes));
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

    /// <summary><see cref="StoreDotRow{TOps, TVector}"/> from the row's lanes in the scratch tile (<see cref="DotLanes"/> floats per element).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFoldedRow(
        ref float cRow, ref float bias, int columns, int vectorEnd, int k, ref float aRow, ref float b0, ref float b1, ref float b2, ref float b3, ref float lanes) =>
        StoreDotRow<SimdScalar, float>(
            ref cRow, ref bias, columns, vectorEnd, k, ref aRow, ref b0, ref b1, ref b2, ref b3,
            FoldLanes(ref lanes), FoldLanes(ref Unsafe.Add(ref lanes, DotLanes)), FoldLanes(ref Unsafe.Add(ref lanes, 2 * DotLanes)), FoldLanes(ref Unsafe.Add(ref lanes, 3 * DotLanes)));

    /// <summary>
    /// The sum of <see cref="DotLanes"/> lanes in the order of <see cref="Simd512.Sum"/>: the upper half
    /// added to the lower half lane by lane until one lane is left (in place: the lanes are scratch).
    /// </summary>
    private static float FoldLanes(ref float lanes)
    {
        for (var half = DotLanes / 2; half >= 1; half /= 2)
        {
            for (var l = 0; l < half; l++)
            {
                Unsafe.Add(ref lanes, l) += Unsafe.Add(ref lanes, l + half);
            }
        }

        return lanes;
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
