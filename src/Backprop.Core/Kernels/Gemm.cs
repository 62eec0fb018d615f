using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Core.Kernels;

/// <summary>
/// Single-precision matrix products on row-major matrices, blocked for the cache and register-tiled
/// with SIMD fused multiply-adds (<see cref="Vector{T}"/>), with a scalar path for the column tail.
/// Every element of C is accumulated over k in the same order with FMA on every path, so the SIMD
/// and scalar paths give bit-identical results.
/// </summary>
public static partial class Gemm
{
    /// <summary>Depth of one k block: a B panel of <c>KBlock × StripWidth</c> floats stays in L1.</summary>
    private const int KBlock = 256;

    /// <summary>Rows of C computed together by the micro-kernel.</summary>
    private const int RowTile = 4;

    private static int StripWidth => 2 * Vector<float>.Count;

    /// <summary>
    /// C[m×n] += op(A)[m×k] · B[k×n] where op(A)[i, p] = a[i·aRowStride + p·aColStride] and B, C are
    /// row-major and dense. The one loop nest behind every public product.
    /// </summary>
    private static void MultiplyAccumulate(
        ReadOnlySpan<float> a, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        var vectorColumns = Vector.IsHardwareAccelerated ? n - (n % Vector<float>.Count) : 0;

        for (var p0 = 0; p0 < k; p0 += KBlock)
        {
            var depth = Math.Min(KBlock, k - p0);
            var j = 0;
            for (; j + StripWidth <= vectorColumns; j += StripWidth)
            {
                var i = 0;
                for (; i + RowTile <= m; i += RowTile)
                {
                    TwoVectorTile4(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, n, i, j, p0, depth);
                }

                for (; i < m; i++)
                {
                    VectorRow(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, n, i, j, p0, depth, StripWidth);
                }
            }

            for (; j < vectorColumns; j += Vector<float>.Count)
            {
                for (var i = 0; i < m; i++)
                {
                    VectorRow(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, n, i, j, p0, depth, Vector<float>.Count);
                }
            }

            if (j < n)
            {
                ScalarColumns(ref aRef, aRowStride, aColStride, ref bRef, ref cRef, m, n, j, p0, depth);
            }
        }
    }

    /// <summary>Micro-kernel: a 4 × 2V tile of C kept in 8 registers over one k block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TwoVectorTile4(
        ref float a, int aRowStride, int aColStride, ref float b, ref float c,
        int n, int i, int j, int p0, int depth)
    {
        var width = Vector<float>.Count;
        ref var c0 = ref Unsafe.Add(ref c, (i * n) + j);
        ref var c1 = ref Unsafe.Add(ref c0, n);
        ref var c2 = ref Unsafe.Add(ref c1, n);
        ref var c3 = ref Unsafe.Add(ref c2, n);
        var acc00 = Vector.LoadUnsafe(ref c0);
        var acc01 = Vector.LoadUnsafe(ref c0, (nuint)width);
        var acc10 = Vector.LoadUnsafe(ref c1);
        var acc11 = Vector.LoadUnsafe(ref c1, (nuint)width);
        var acc20 = Vector.LoadUnsafe(ref c2);
        var acc21 = Vector.LoadUnsafe(ref c2, (nuint)width);
        var acc30 = Vector.LoadUnsafe(ref c3);
        var acc31 = Vector.LoadUnsafe(ref c3, (nuint)width);

        ref var aRow0 = ref Unsafe.Add(ref a, (i * aRowStride) + (p0 * aColStride));
        ref var bRow = ref Unsafe.Add(ref b, (p0 * n) + j);
        for (var p = 0; p < depth; p++)
        {
            var b0 = Vector.LoadUnsafe(ref bRow);
            var b1 = Vector.LoadUnsafe(ref bRow, (nuint)width);
            var a0 = new Vector<float>(aRow0);
            var a1 = new Vector<float>(Unsafe.Add(ref aRow0, aRowStride));
            var a2 = new Vector<float>(Unsafe.Add(ref aRow0, 2 * aRowStride));
            var a3 = new Vector<float>(Unsafe.Add(ref aRow0, 3 * aRowStride));
            acc00 = Vector.FusedMultiplyAdd(a0, b0, acc00);
            acc01 = Vector.FusedMultiplyAdd(a0, b1, acc01);
            acc10 = Vector.FusedMultiplyAdd(a1, b0, acc10);
            acc11 = Vector.FusedMultiplyAdd(a1, b1, acc11);
            acc20 = Vector.FusedMultiplyAdd(a2, b0, acc20);
            acc21 = Vector.FusedMultiplyAdd(a2, b1, acc21);
            acc30 = Vector.FusedMultiplyAdd(a3, b0, acc30);
            acc31 = Vector.FusedMultiplyAdd(a3, b1, acc31);
            aRow0 = ref Unsafe.Add(ref aRow0, aColStride);
            bRow = ref Unsafe.Add(ref bRow, n);
        }

        acc00.StoreUnsafe(ref c0);
        acc01.StoreUnsafe(ref c0, (nuint)width);
        acc10.StoreUnsafe(ref c1);
        acc11.StoreUnsafe(ref c1, (nuint)width);
        acc20.StoreUnsafe(ref c2);
        acc21.StoreUnsafe(ref c2, (nuint)width);
        acc30.StoreUnsafe(ref c3);
        acc31.StoreUnsafe(ref c3, (nuint)width);
    }

    /// <summary>One row of C, <paramref name="columns"/> (V or 2V) wide, over one k block.</summary>
    private static void VectorRow(
        ref float a, int aRowStride, int aColStride, ref float b, ref float c,
        int n, int i, int j, int p0, int depth, int columns)
    {
        var width = Vector<float>.Count;
        for (var jj = j; jj < j + columns; jj += width)
        {
            ref var cCell = ref Unsafe.Add(ref c, (i * n) + jj);
            var acc = Vector.LoadUnsafe(ref cCell);
            ref var aCell = ref Unsafe.Add(ref a, (i * aRowStride) + (p0 * aColStride));
            ref var bRow = ref Unsafe.Add(ref b, (p0 * n) + jj);
            for (var p = 0; p < depth; p++)
            {
                acc = Vector.FusedMultiplyAdd(new Vector<float>(aCell), Vector.LoadUnsafe(ref bRow), acc);
                aCell = ref Unsafe.Add(ref aCell, aColStride);
                bRow = ref Unsafe.Add(ref bRow, n);
            }

            acc.StoreUnsafe(ref cCell);
        }
    }

    /// <summary>Columns <paramref name="j"/>..n−1 of every row, one element at a time.</summary>
    private static void ScalarColumns(
        ref float a, int aRowStride, int aColStride, ref float b, ref float c,
        int m, int n, int j, int p0, int depth)
    {
        for (var i = 0; i < m; i++)
        {
            for (var jj = j; jj < n; jj++)
            {
                ref var cCell = ref Unsafe.Add(ref c, (i * n) + jj);
                var acc = cCell;
                ref var aCell = ref Unsafe.Add(ref a, (i * aRowStride) + (p0 * aColStride));
                ref var bCell = ref Unsafe.Add(ref b, (p0 * n) + jj);
                for (var p = 0; p < depth; p++)
                {
                    acc = MathF.FusedMultiplyAdd(aCell, bCell, acc);
                    aCell = ref Unsafe.Add(ref aCell, aColStride);
                    bCell = ref Unsafe.Add(ref bCell, n);
                }

                cCell = acc;
            }
        }
    }

    private static void CheckShapes(int aLength, int bLength, int destinationLength, int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (aLength < (long)m * k)
        {
            throw new ArgumentException($"a holds {aLength} values, needs {(long)m * k} for {m}×{k}", "a");
        }

        if (bLength < (long)k * n)
        {
            throw new ArgumentException($"b holds {bLength} values, needs {(long)k * n} for {k}×{n}", "b");
        }

        if (destinationLength < (long)m * n)
        {
            throw new ArgumentException($"destination holds {destinationLength} values, needs {(long)m * n} for {m}×{n}", "destination");
        }
    }
}
