using Backprop.Core.Kernels;

namespace Backprop.Benchmarks.Workloads;

/// <summary>A <see cref="GemmCase"/> on Backprop.Core's <see cref="Gemm"/>, operands allocated once.</summary>
public sealed class OurGemm
{
    private readonly GemmCase _case;
    private readonly float[] _a;
    private readonly float[] _b;
    private readonly float[] _c;

    /// <summary>Random operands in [−1, 1) for <paramref name="gemmCase"/>.</summary>
    public OurGemm(GemmCase gemmCase)
    {
        ArgumentNullException.ThrowIfNull(gemmCase);
        _case = gemmCase;
        var random = new Random(ReferenceMlp.Seed);
        _a = RandomMatrix(random, gemmCase.M * gemmCase.K);
        _b = RandomMatrix(random, gemmCase.K * gemmCase.N);
        _c = new float[gemmCase.M * gemmCase.N];
    }

    /// <summary>Computes C once; returns one element so the work cannot be dropped.</summary>
    public float Run()
    {
        var (m, k, n) = (_case.M, _case.K, _case.N);
        switch (_case.Product)
        {
            case GemmProduct.Forward:
                Gemm.MultiplyTransposedB(_a, _b, _c, m, k, n);
                break;
            case GemmProduct.WeightGradient:
                Gemm.MultiplyTransposedA(_a, _b, _c, m, k, n);
                break;
            default:
                Gemm.Multiply(_a, _b, _c, m, k, n);
                break;
        }

        return _c[^1];
    }

    internal static float[] RandomMatrix(Random random, int length)
    {
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (2 * random.NextSingle()) - 1;
        }

        return values;
    }
}
