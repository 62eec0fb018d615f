using Backprop.Core.Kernels;
using Backprop.Core.Model;
using System.Runtime.CompilerServices;

namespace Backprop.Core.Losses;

/// <summary>Per-sample losses summed over a batch, and the output delta δ^L = ∂L/∂z^L.</summary>
public static class LossFunctions
{
    /// <summary>
    /// Σ over the rows of the per-sample loss, for row-major [rows × width] pre-activations
    /// <paramref name="z"/>, activations <paramref name="a"/> and targets <paramref name="y"/>.
    /// Cross-entropies are computed from z (log-sum-exp, softplus), so they stay finite even where a
    /// rounds to 0 or 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sum(LossKind loss, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> y, int width)
    {
        CheckLengths(z.Length, a.Length, y.Length, a.Length, width);
        double total = 0;
        for (var start = 0; start < a.Length; start += width)
        {
            var zRow = z.Slice(start, width);
            var aRow = a.Slice(start, width);
            var yRow = y.Slice(start, width);
            total += loss switch
            {
                LossKind.MeanSquaredError => HalfSquaredError(aRow, yRow),
                LossKind.CrossEntropy => SoftmaxCrossEntropy(zRow, yRow),
                LossKind.BinaryCrossEntropy => SigmoidBinaryCrossEntropy(zRow, yRow),
                _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
            };
        }

        return total;
    }

    /// <summary>
    /// δ^L for every row: (a − y) for cross-entropy on softmax and binary cross-entropy on sigmoid;
    /// for MSE the full chain rule (a − y) ⊙ σ'(z), and for a softmax output the Jacobian product
    /// δ_k = a_k (g_k − Σ_j g_j a_j) with g = a − y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OutputDelta(LossKind loss, Activation output, ReadOnlySpan<float> a, ReadOnlySpan<float> y, Span<float> delta, int width)
    {
        CheckLengths(a.Length, a.Length, y.Length, delta.Length, width);
        LossKinds.EnsureCompatible(loss, output);
        for (var i = 0; i < a.Length; i++)
        {
            delta[i] = a[i] - y[i];
        }

        if (loss != LossKind.MeanSquaredError)
        {
            return;
        }

        if (output != Activation.Softmax)
        {
            ActivationKernels.MultiplyByDerivative(output, a, delta);
            return;
        }

        for (var start = 0; start < a.Length; start += width)
        {
            var aRow = a.Slice(start, width);
            var gRow = delta.Slice(start, width);
            var dot = 0f;
            for (var j = 0; j < width; j++)
            {
                dot += gRow[j] * aRow[j];
            }

            for (var k = 0; k < width; k++)
            {
                gRow[k] = aRow[k] * (gRow[k] - dot);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double HalfSquaredError(ReadOnlySpan<float> a, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
        {
            double difference = y[j] - a[j];
            sum += difference * difference;
        }

        return 0.5 * sum;
    }

    /// <summary>−Σ y_k ln softmax(z)_k = Σ y_k (logsumexp(z) − z_k).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SoftmaxCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> y)
    {
        double max = float.NegativeInfinity;
        foreach (var value in z)
        {
            max = Math.Max(max, value);
        }

        double expSum = 0;
        foreach (var value in z)
        {
            expSum += Math.Exp(value - max);
        }

        var logSumExp = max + Math.Log(expSum);
        double loss = 0;
        for (var k = 0; k < z.Length; k++)
        {
            loss += y[k] * (logSumExp - z[k]);
        }

        return loss;
    }

    /// <summary>−Σ [y ln σ(z) + (1 − y) ln(1 − σ(z))] = Σ [max(z, 0) − y z + ln(1 + e^−|z|)].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SigmoidBinaryCrossEntropy(ReadOnlySpan<float> z, ReadOnlySpan<float> y)
    {
        double loss = 0;
        for (var k = 0; k < z.Length; k++)
        {
            double value = z[k];
            loss += Math.Max(value, 0) - (y[k] * value) + Math.Log(1 + Math.Exp(-Math.Abs(value)));
        }

        return loss;
    }

    private static void CheckLengths(int zLength, int aLength, int yLength, int deltaLength, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (aLength % width != 0)
        {
            throw new ArgumentException($"activations have {aLength} values, not a whole number of rows of {width}");
        }

        if (zLength != aLength || yLength != aLength || deltaLength != aLength)
        {
            throw new ArgumentException($"z ({zLength}), a ({aLength}), y ({yLength}) and delta ({deltaLength}) must have the same length");
        }
    }
}
