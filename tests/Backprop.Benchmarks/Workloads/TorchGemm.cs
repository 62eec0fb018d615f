using static TorchSharp.torch;

namespace Backprop.Benchmarks.Workloads;

/// <summary>
/// A <see cref="GemmCase"/> as <c>torch.mm</c> with the operands in the same layouts as ours
/// (transposed operands are strided views, which libtorch hands to its BLAS as a transpose flag).
/// </summary>
/// <remarks>Construct only after <see cref="NativeLoading.LibTorchSharpLoadFix.Apply"/>.</remarks>
public sealed class TorchGemm : IDisposable
{
    private readonly Tensor _a;
    private readonly Tensor _b;
    private readonly Tensor _left;
    private readonly Tensor _right;

    /// <summary>The same random operands as <see cref="OurGemm"/> for <paramref name="gemmCase"/>.</summary>
    public TorchGemm(GemmCase gemmCase)
    {
        ArgumentNullException.ThrowIfNull(gemmCase);
        var (m, k, n) = (gemmCase.M, gemmCase.K, gemmCase.N);
        var random = new Random(ReferenceMlp.Seed);
        var a = OurGemm.RandomMatrix(random, m * k);
        var b = OurGemm.RandomMatrix(random, k * n);
        (_a, _b, _left, _right) = gemmCase.Product switch
        {
            GemmProduct.Forward => Operands(tensor(a, [m, k]), tensor(b, [n, k]), transposeA: false, transposeB: true),
            GemmProduct.WeightGradient => Operands(tensor(a, [k, m]), tensor(b, [k, n]), transposeA: true, transposeB: false),
            _ => Operands(tensor(a, [m, k]), tensor(b, [k, n]), transposeA: false, transposeB: false),
        };
    }

    /// <summary>Computes C once (a new tensor, disposed at once).</summary>
    public void Run()
    {
        using var c = mm(_left, _right);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _left.Dispose();
        _right.Dispose();
        _a.Dispose();
        _b.Dispose();
    }

    private static (Tensor A, Tensor B, Tensor Left, Tensor Right) Operands(Tensor a, Tensor b, bool transposeA, bool transposeB) =>
        (a, b, transposeA ? a.t() : a.alias(), transposeB ? b.t() : b.alias());
}
