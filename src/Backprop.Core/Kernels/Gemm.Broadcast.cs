using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Core.Kernels;

public static partial class Gemm
{
    /// <summary>Depth of one k block: a B strip of <c>BroadcastDepth × 2 vectors</c> stays in L1 across the row tiles.</summary>
    private const int BroadcastDepth = 128;

    /// <summary>Rows of C from which packing pays: a B panel's copy is shared by at least this many rows.</summary>
    private const int PackedMinimumRows = 96;

    /// <summary>Rows of C per L2 block (a multiple of <see cref="BroadcastRows"/>).</summary>
    private const int BroadcastBlockRows = 96;

    /// <summary>Columns of C per L2 block: with <see cref="BroadcastBlockRows"/> rows, 96 KB of C.</summary>
    private const int BroadcastBlockColumns = 256;

    /// <summary>Rows of C per micro-kernel tile: 6 rows × 2 vectors = 12 accumulators, 3 registers to spare on AVX2.</summary>
    private const int BroadcastRows = 6;

    [ThreadStatic]
    private static PackingBuffers? t_packingBuffers;

    /// <summary>
    /// C[m×n] = op(A)[m×k] · B[k×n] where op(A)[i, p] = a[i·aRowStride + p·aColStride] and B, C are
    /// row-major with rows <paramref name="bStride"/> and <paramref name="cStride"/> floats apart: each
    /// step of p broadcasts one element of op(A) per row and multiplies a row segment of B. Columns go
    /// to the widest vector that fits, then narrower ones, then scalars; every element is accumulated
    /// over p in order from zero, with one FMA per term on all of them. C's old contents are never read
    /// (the first k block starts its accumulators at zero), and C's columns from n on are not touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BroadcastProduct(
        ReadOnlySpan<float> a, int aRowStride, int aColStride, ReadOnlySpan<float> b, int bStride, Span<float> c, int cStride, int m, int k, int n, SimdPath path)
    {
        if (k == 0)
        {
            for (var i = 0; i < m; i++)
            {
                c.Slice(i * cStride, n).Clear();
            }
        }

        if (m == 0 || n == 0 || k == 0)
        {
            return;
        }

        var operands = new BroadcastOperands(
            ref MemoryMarshal.GetReference(a), aRowStride, aColStride, 0, 0,
            ref MemoryMarshal.GetReference(b), bStride, 0, 0, ref MemoryMarshal.GetReference(c), cStride);
        var pack = m >= PackedMinimumRows;
        var buffers = pack ? PackBuffers : null;

        // For each column block and k block, one panel of B serves every row block of C. With enough
        // rows both operands are first copied into dense per-thread buffers. Each element still sees
        // the k terms in order, so neither the blocking nor the packing ever changes a result.
        for (var j0 = 0; j0 < n; j0 += BroadcastBlockColumns)
        {
            var jEnd = Math.Min(n, j0 + BroadcastBlockColumns);
            for (var p0 = 0; p0 < k; p0 += BroadcastDepth)
            {
                var depth = Math.Min(BroadcastDepth, k - p0);
                var panelOperands = pack ? operands.WithPackedB(ref PackPanel(b, bStride, p0, depth, j0, jEnd, buffers!.Panel), jEnd - j0, p0, j0) : operands;
                for (var i0 = 0; i0 < m; i0 += BroadcastBlockRows)
                {
                    var iEnd = Math.Min(m, i0 + BroadcastBlockRows);
                    var blockOperands = pack ? PackABlock(a, aRowStride, aColStride, i0, iEnd, p0, depth, buffers!.ABlock, panelOperands) : panelOperands;
                    BroadcastBlock(blockOperands, new TileBlock(i0, iEnd, jEnd), j0, p0, depth, path);
                }
            }
        }
    }

    /// <summary>
    /// Copies B[p0..p0+depth, j0..jEnd) into <paramref name="panel"/> as dense rows: in place, B's rows
    /// are <paramref name="bStride"/> floats apart, and when that is a multiple of 1 KB they all fall into
    /// a few L1 sets and evict each other (a 1024-wide B ran at 55% of the speed of a 1000-wide one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ref float PackPanel(ReadOnlySpan<float> b, int bStride, int p0, int depth, int j0, int jEnd, float[] panel)
    {
        var width = jEnd - j0;
        for (var p = 0; p < depth; p++)
        {
            b.Slice(((p0 + p) * bStride) + j0, width).CopyTo(panel.AsSpan(p * width, width));
        }

        return ref MemoryMarshal.GetArrayDataReference(panel);
    }

    /// <summary>
    /// Copies op(A)[i0..iEnd, p0..p0+depth) into <paramref name="block"/>, keeping whichever of its two
    /// directions is contiguous (rows of A for A·B, rows of Δ for Δᵀ·A), so the copy is a few
    /// vectorised row copies and the block's rows end up only depth (or rows) floats apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static BroadcastOperands PackABlock(
        ReadOnlySpan<float> a, int aRowStride, int aColStride, int i0, int iEnd, int p0, int depth, float[] block, in BroadcastOperands operands)
    {
        var rows = iEnd - i0;
        if (aColStride == 1)
        {
            for (var i = 0; i < rows; i++)
            {
                a.Slice(((i0 + i) * aRowStride) + p0, depth).CopyTo(block.AsSpan(i * depth, depth));
            }

            return operands.WithPackedA(ref MemoryMarshal.GetArrayDataReference(block), depth, 1, i0, p0);
        }

        for (var p = 0; p < depth; p++)
        {
            a.Slice(((p0 + p) * aColStride) + (i0 * aRowStride), rows).CopyTo(block.AsSpan(p * rows, rows));
        }

        return operands.WithPackedA(ref MemoryMarshal.GetArrayDataReference(block), 1, rows, i0, p0);
    }

    /// <summary>This thread's packing buffers (allocated on first use, then reused).</summary>
    private static PackingBuffers PackBuffers => t_packingBuffers ??= new PackingBuffers();

    /// <summary>One thread's copies of a B panel and an A block.</summary>
    private sealed class PackingBuffers
    {
        public float[] Panel { get; } = new float[BroadcastDepth * BroadcastBlockColumns];

        public float[] ABlock { get; } = new float[BroadcastBlockRows * BroadcastDepth];
    }

    /// <summary>One k block over one block of C: columns go to the widest vectors that fit, then narrower ones, then scalars.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BroadcastBlock(in BroadcastOperands operands, TileBlock block, int j, int p0, int depth, SimdPath path)
    {
        if (path == SimdPath.Vector512)
        {
            j = BroadcastColumns<Simd512, Vector512<float>>(operands, block, p0, depth, j, twoVectors: true);
            j = BroadcastColumns<Simd512, Vector512<float>>(operands, block, p0, depth, j, twoVectors: false);
        }

        if (path == SimdPath.Vector256)
        {
            j = BroadcastColumns<Simd256, Vector256<float>>(operands, block, p0, depth, j, twoVectors: true);
        }

        if (path >= SimdPath.Vector256)
        {
            j = BroadcastColumns<Simd256, Vector256<float>>(operands, block, p0, depth, j, twoVectors: false);
        }

        if (path == SimdPath.Vector128)
        {
            j = BroadcastColumns<Simd128, Vector128<float>>(operands, block, p0, depth, j, twoVectors: true);
        }

        if (path >= SimdPath.Vector128)
        {
            j = BroadcastColumns<Simd128, Vector128<float>>(operands, block, p0, depth, j, twoVectors: false);
        }

        j = BroadcastColumns<SimdScalar, float>(operands, block, p0, depth, j, twoVectors: true);
        BroadcastColumns<SimdScalar, float>(operands, block, p0, depth, j, twoVectors: false);
    }

    /// <summary>Rows <see cref="RowStart"/>..<see cref="RowEnd"/>−1 of C, columns up to <see cref="ColumnEnd"/>.</summary>
    private readonly record struct TileBlock(int RowStart, int RowEnd, int ColumnEnd);

    /// <summary>Processes column strips of 1 or 2 vectors from <paramref name="j"/> while they fit; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BroadcastColumns<TOps, TVector>(in BroadcastOperands o, TileBlock block, int p0, int depth, int j, bool twoVectors)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        var strip = twoVectors ? 2 * TOps.Width : TOps.Width;
        for (; j + strip <= block.ColumnEnd; j += strip)
        {
            for (var i = block.RowStart; i < block.RowEnd; i += BroadcastRows)
            {
                var rows = Math.Min(BroadcastRows, block.RowEnd - i);
                if (twoVectors)
                {
                    BroadcastTile2<TOps, TVector>(o, i, rows, j, p0, depth);
                }
                else
                {
                    BroadcastTile1<TOps, TVector>(o, i, rows, j, p0, depth);
                }
            }
        }

        return j;
    }

    /// <summary>
    /// Micro-kernel: 6 rows × 2 vectors of C in 12 registers over one k block. A tile with fewer valid
    /// rows repeats its last valid row in the spare lanes and stores only the valid ones, so the
    /// arithmetic of each stored element is the same in full and partial tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BroadcastTile2<TOps, TVector>(in BroadcastOperands o, int i, int rows, int j, int p0, int depth)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        var w = TOps.Width;
        var fromZero = p0 == 0;
        ref var c0 = ref o.CRow(i, 0, rows, j);
        ref var c1 = ref o.CRow(i, 1, rows, j);
        ref var c2 = ref o.CRow(i, 2, rows, j);
        ref var c3 = ref o.CRow(i, 3, rows, j);
        ref var c4 = ref o.CRow(i, 4, rows, j);
        ref var c5 = ref o.CRow(i, 5, rows, j);
        var acc00 = Start<TOps, TVector>(fromZero, ref c0);
        var acc01 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c0, w));
        var acc10 = Start<TOps, TVector>(fromZero, ref c1);
        var acc11 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c1, w));
        var acc20 = Start<TOps, TVector>(fromZero, ref c2);
        var acc21 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c2, w));
        var acc30 = Start<TOps, TVector>(fromZero, ref c3);
        var acc31 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c3, w));
        var acc40 = Start<TOps, TVector>(fromZero, ref c4);
        var acc41 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c4, w));
        var acc50 = Start<TOps, TVector>(fromZero, ref c5);
        var acc51 = Start<TOps, TVector>(fromZero, ref Unsafe.Add(ref c5, w));

        ref var a0 = ref o.ARow(i, 0, rows, p0);
        ref var a1 = ref o.ARow(i, 1, rows, p0);
        ref var a2 = ref o.ARow(i, 2, rows, p0);
        ref var a3 = ref o.ARow(i, 3, rows, p0);
        ref var a4 = ref o.ARow(i, 4, rows, p0);
        ref var a5 = ref o.ARow(i, 5, rows, p0);
        ref var bRow = ref o.BRow(p0, j);
        var step = o.AColStride;
        for (var p = 0; p < depth; p++)
        {
            var b0 = TOps.Load(ref bRow);
            var b1 = TOps.Load(ref Unsafe.Add(ref bRow, w));
            var offset = p * step;
            var x = TOps.Broadcast(Unsafe.Add(ref a0, offset));
            acc00 = TOps.MultiplyAdd(x, b0, acc00);
            acc01 = TOps.MultiplyAdd(x, b1, acc01);
            x = TOps.Broadcast(Unsafe.Add(ref a1, offset));
            acc10 = TOps.MultiplyAdd(x, b0, acc10);
            acc11 = TOps.MultiplyAdd(x, b1, acc11);
            x = TOps.Broadcast(Unsafe.Add(ref a2, offset));
            acc20 = TOps.MultiplyAdd(x, b0, acc20);
            acc21 = TOps.MultiplyAdd(x, b1, acc21);
            x = TOps.Broadcast(Unsafe.Add(ref a3, offset));
            acc30 = TOps.MultiplyAdd(x, b0, acc30);
            acc31 = TOps.MultiplyAdd(x, b1, acc31);
            x = TOps.Broadcast(Unsafe.Add(ref a4, offset));
            acc40 = TOps.MultiplyAdd(x, b0, acc40);
            acc41 = TOps.MultiplyAdd(x, b1, acc41);
            x = TOps.Broadcast(Unsafe.Add(ref a5, offset));
            acc50 = TOps.MultiplyAdd(x, b0, acc50);
            acc51 = TOps.MultiplyAdd(x, b1, acc51);
            bRow = ref Unsafe.Add(ref bRow, o.BStride);
        }

        if (rows > 5)
        {
            TOps.Store(acc50, ref c5);
            TOps.Store(acc51, ref Unsafe.Add(ref c5, w));
        }

        if (rows > 4)
        {
            TOps.Store(acc40, ref c4);
            TOps.Store(acc41, ref Unsafe.Add(ref c4, w));
        }

        if (rows > 3)
        {
            TOps.Store(acc30, ref c3);
            TOps.Store(acc31, ref Unsafe.Add(ref c3, w));
        }

        if (rows > 2)
        {
            TOps.Store(acc20, ref c2);
            TOps.Store(acc21, ref Unsafe.Add(ref c2, w));
        }

        if (rows > 1)
        {
            TOps.Store(acc10, ref c1);
            TOps.Store(acc11, ref Unsafe.Add(ref c1, w));
        }

        TOps.Store(acc00, ref c0);
        TOps.Store(acc01, ref Unsafe.Add(ref c0, w));
    }

    /// <summary>A tile's accumulator at the start of a k block: zero in the first block, else C's partial sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Start<TOps, TVector>(bool fromZero, ref float c)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct => fromZero ? TOps.Zero : TOps.Load(ref c);

    /// <summary>The one-vector-wide version of <see cref="BroadcastTile2{TOps, TVector}"/>, for column tails.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BroadcastTile1<TOps, TVector>(in BroadcastOperands o, int i, int rows, int j, int p0, int depth)
        where TOps : struct, ISimdOps<TVector>
        where TVector : struct
    {
        var fromZero = p0 == 0;
        ref var c0 = ref o.CRow(i, 0, rows, j);
        ref var c1 = ref o.CRow(i, 1, rows, j);
        ref var c2 = ref o.CRow(i, 2, rows, j);
        ref var c3 = ref o.CRow(i, 3, rows, j);
        ref var c4 = ref o.CRow(i, 4, rows, j);
        ref var c5 = ref o.CRow(i, 5, rows, j);
        var acc0 = Start<TOps, TVector>(fromZero, ref c0);
        var acc1 = Start<TOps, TVector>(fromZero, ref c1);
        var acc2 = Start<TOps, TVector>(fromZero, ref c2);
        var acc3 = Start<TOps, TVector>(fromZero, ref c3);
        var acc4 = Start<TOps, TVector>(fromZero, ref c4);
        var acc5 = Start<TOps, TVector>(fromZero, ref c5);

        ref var a0 = ref o.ARow(i, 0, rows, p0);
        ref var a1 = ref o.ARow(i, 1, rows, p0);
        ref var a2 = ref o.ARow(i, 2, rows, p0);
        ref var a3 = ref o.ARow(i, 3, rows, p0);
        ref var a4 = ref o.ARow(i, 4, rows, p0);
        ref var a5 = ref o.ARow(i, 5, rows, p0);
        ref var bRow = ref o.BRow(p0, j);
        var step = o.AColStride;
        for (var p = 0; p < depth; p++)
        {
            var b0 = TOps.Load(ref bRow);
            var offset = p * step;
            acc0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a0, offset)), b0, acc0);
            acc1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a1, offset)), b0, acc1);
            acc2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a2, offset)), b0, acc2);
            acc3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a3, offset)), b0, acc3);
            acc4 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a4, offset)), b0, acc4);
            acc5 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref a5, offset)), b0, acc5);
            bRow = ref Unsafe.Add(ref bRow, o.BStride);
        }

        if (rows > 5)
        {
            TOps.Store(acc5, ref c5);
        }

        if (rows > 4)
        {
            TOps.Store(acc4, ref c4);
        }

        if (rows > 3)
        {
            TOps.Store(acc3, ref c3);
        }

        if (rows > 2)
        {
            TOps.Store(acc2, ref c2);
        }

        if (rows > 1)
        {
            TOps.Store(acc1, ref c1);
        }

        TOps.Store(acc0, ref c0);
    }

    /// <summary>
    /// The operands of one broadcast-form product, with row addressing that clamps spare tile rows.
    /// B is either the caller's matrix or a packed copy of one panel of it (rows from
    /// <see cref="BFirstRow"/>, columns from <see cref="BFirstColumn"/>, <see cref="BStride"/> apart).
    /// </summary>
    private readonly ref struct BroadcastOperands(
        ref float a, int aRowStride, int aColStride, int aFirstRow, int aFirstColumn,
        ref float b, int bStride, int bFirstRow, int bFirstColumn, ref float c, int cStride)
    {
        public readonly ref float A = ref a;
        public readonly ref float B = ref b;
        public readonly ref float C = ref c;
        public readonly int ARowStride = aRowStride;
        public readonly int AColStride = aColStride;
        public readonly int AFirstRow = aFirstRow;
        public readonly int AFirstColumn = aFirstColumn;
        public readonly int BStride = bStride;
        public readonly int BFirstRow = bFirstRow;
        public readonly int BFirstColumn = bFirstColumn;
        public readonly int CStride = cStride;

        /// <summary>The same product with B read from a packed panel.</summary>
        public BroadcastOperands WithPackedB(ref float panel, int panelWidth, int firstRow, int firstColumn) =>
            new(ref A, ARowStride, AColStride, AFirstRow, AFirstColumn, ref panel, panelWidth, firstRow, firstColumn, ref C, CStride);

        /// <summary>The same product with op(A) read from a packed block starting at row i0, column p0.</summary>
        public BroadcastOperands WithPackedA(ref float block, int rowStride, int colStride, int i0, int p0) =>
            new(ref block, rowStride, colStride, i0, p0, ref B, BStride, BFirstRow, BFirstColumn, ref C, CStride);

        /// <summary>Row <c>i + r</c> of op(A) at depth p0, or the tile's last valid row when r is a spare.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float ARow(int i, int r, int rows, int p0) =>
            ref Unsafe.Add(ref A, ((i - AFirstRow + Math.Min(r, rows - 1)) * ARowStride) + ((p0 - AFirstColumn) * AColStride));

        /// <summary>Row p0 of B at column j.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float BRow(int p0, int j) =>
            ref Unsafe.Add(ref B, ((p0 - BFirstRow) * BStride) + (j - BFirstColumn));

        /// <summary>Row <c>i + r</c> of C at column j, or the tile's last valid row when r is a spare.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float CRow(int i, int r, int rows, int j) =>
            ref Unsafe.Add(ref C, ((i + Math.Min(r, rows - 1)) * CStride) + j);
    }
}
