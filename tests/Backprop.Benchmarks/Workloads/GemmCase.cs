namespace Backprop.Benchmarks.Workloads;

/// <summary>Which product of a training step a GEMM case is.</summary>
public enum GemmProduct
{
    /// <summary>Forward Z = A·Wᵀ: A [m×k] activations, W [n×k] weights.</summary>
    Forward,

    /// <summary>Backward Δ_prev = Δ·W: Δ [m×k], W [k×n].</summary>
    Backward,

    /// <summary>Weight gradient ΣW = Δᵀ·A: Δ [k×m], A [k×n] (k = batch).</summary>
    WeightGradient,

    /// <summary>Plain C = A·B, A [m×k], B [k×n].</summary>
    Square,
}

/// <summary>One matrix product shape: C [m×n] from an inner dimension k.</summary>
/// <param name="Label">Table label, e.g. <c>b512 L1 fwd</c>.</param>
/// <param name="Product">Which product (fixes the operand layouts).</param>
/// <param name="M">Rows of C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="N">Columns of C.</param>
public sealed record GemmCase(string Label, GemmProduct Product, int M, int K, int N) : IComparable<GemmCase>, IComparable
{
    /// <summary>2·m·k·n: one multiply and one add per term.</summary>
    public double Flops => 2.0 * M * K * N;

    /// <summary>The products of one step of the 784-256-128-10 network at batch 512 and 32, then 1024³.</summary>
    public static IReadOnlyList<GemmCase> All => Cases;

    private static readonly List<GemmCase> Cases = Build();

    /// <summary>
    /// The same product with every dimension cut to at most <paramref name="limit"/>: the same code
    /// paths on a fraction of the work, for warming the JIT up.
    /// </summary>
    public GemmCase Clipped(int limit) => this with { M = Math.Min(M, limit), K = Math.Min(K, limit), N = Math.Min(N, limit) };

    /// <summary>Orders cases as <see cref="All"/> lists them (BenchmarkDotNet sorts parameter values).</summary>
    public int CompareTo(GemmCase? other) => other is null ? 1 : Position.CompareTo(other.Position);

    /// <inheritdoc />
    public int CompareTo(object? obj) => CompareTo(obj as GemmCase);

    private int Position => Cases.IndexOf(this);

    /// <summary>E.g. <c>b512 L1 fwd A·Wᵀ 512×784×256</c> (m×k×n).</summary>
    public override string ToString() => $"{Label} {Symbol} {M}×{K}×{N}";

    private string Symbol => Product switch
    {
        GemmProduct.Forward => "A·Wᵀ",
        GemmProduct.Backward => "Δ·W",
        GemmProduct.WeightGradient => "Δᵀ·A",
        _ => "A·B",
    };

    private static List<GemmCase> Build()
    {
        var sizes = ReferenceMlp.LayerSizes;
        var cases = new List<GemmCase>();
        foreach (var batch in new[] { 512, 32 })
        {
            for (var l = 1; l < sizes.Length; l++)
            {
                cases.Add(new($"b{batch} L{l} fwd", GemmProduct.Forward, batch, sizes[l - 1], sizes[l]));
            }

            // Backward: the step skips Δ·W of the first layer (no gradient for the input).
            for (var l = sizes.Length - 1; l >= 2; l--)
            {
                cases.Add(new($"b{batch} L{l} bwd", GemmProduct.Backward, batch, sizes[l], sizes[l - 1]));
            }

            for (var l = sizes.Length - 1; l >= 1; l--)
            {
                cases.Add(new($"b{batch} L{l} wgrad", GemmProduct.WeightGradient, sizes[l], batch, sizes[l - 1]));
            }
        }

        cases.Add(new("square", GemmProduct.Square, 1024, 1024, 1024));
        return cases;
    }
}
