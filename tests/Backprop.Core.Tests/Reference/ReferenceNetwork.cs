using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Reference;

/// <summary>
/// A float64 reference for a fully-connected network, written from the math contract with plain
/// scalar loops and nothing taken from <c>Backprop.Core.Training</c>: layer l computes
/// z = W·a_prev + b, a = σ(z); the flat parameter layout (layer by layer, W row-major
/// [outputs × inputs], then b) is worked out here from the layer sizes, independently of
/// <see cref="NetworkSpec"/>.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly int[] _sizes;
    private readonly Activation[] _activations;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    public ReferenceNetwork(IReadOnlyList<int> layerSizes, IReadOnlyList<Activation> activations)
    {
        if (activations.Count != layerSizes.Count - 1)
        {
            throw new ArgumentException("one activation per layer after the input", nameof(activations));
        }

        _sizes = [.. layerSizes];
        _activations = [.. activations];
        _weightOffsets = new int[LayerCount];
        _biasOffsets = new int[LayerCount];
        var offset = 0;
        for (var l = 0; l < LayerCount; l++)
        {
            _weightOffsets[l] = offset;
            offset += Outputs(l) * Inputs(l);
            _biasOffsets[l] = offset;
            offset += Outputs(l);
        }

        ParameterCount = offset;
    }

    /// <summary>The same architecture as <paramref name="spec"/> (sizes and activations only).</summary>
    public static ReferenceNetwork For(NetworkSpec spec) =>
        new(spec.LayerSizes, spec.Layers.Select(l => l.Activation).ToArray());

    /// <summary>Layers after the input.</summary>
    public int LayerCount => _activations.Length;

    public int ParameterCount { get; }

    public int InputSize => _sizes[0];

    public int OutputSize => _sizes[^1];

    public int Inputs(int layer) => _sizes[layer];

    public int Outputs(int layer) => _sizes[layer + 1];

    public Activation ActivationOf(int layer) => _activations[layer];

    /// <summary>Index of W[j, i] (input i → neuron j) of <paramref name="layer"/> in the flat buffer.</summary>
    public int WeightIndex(int layer, int j, int i) => _weightOffsets[layer] + (j * Inputs(layer)) + i;

    /// <summary>Index of b[j] of <paramref name="layer"/> in the flat buffer.</summary>
    public int BiasIndex(int layer, int j) => _biasOffsets[layer] + j;

    /// <summary>Forward pass for ONE sample: Z[l] and A[l] for every layer l (A[l] = σ(Z[l])).</summary>
    public SamplePass Forward(IReadOnlyList<double> parameters, IReadOnlyList<double> input)
    {
        CheckLength(parameters.Count, ParameterCount, nameof(parameters));
        CheckLength(input.Count, InputSize, nameof(input));
        var z = new double[LayerCount][];
        var a = new double[LayerCount][];
        IReadOnlyList<double> previous = input;
        for (var l = 0; l < LayerCount; l++)
        {
            z[l] = new double[Outputs(l)];
            for (var j = 0; j < Outputs(l); j++)
            {
                var sum = parameters[BiasIndex(l, j)];
                for (var i = 0; i < Inputs(l); i++)
                {
                    sum += parameters[WeightIndex(l, j, i)] * previous[i];
                }

                z[l][j] = sum;
            }

            a[l] = Activate(_activations[l], z[l]);
            previous = a[l];
        }

        return new SamplePass([.. input], z, a);
    }

    /// <summary>Per-sample loss of output activations <paramref name="a"/> against targets <paramref name="y"/>.</summary>
    public static double Loss(LossKind loss, IReadOnlyList<double> a, IReadOnlyList<double> y)
    {
        var total = 0.0;
        for (var j = 0; j < a.Count; j++)
        {
            total += loss switch
            {
                // L = ½ Σ (y − a)²
                LossKind.MeanSquaredError => 0.5 * (y[j] - a[j]) * (y[j] - a[j]),

                // L = −Σ y ln a (a term with y = 0 contributes 0, even where a underflows)
                LossKind.CrossEntropy => y[j] == 0 ? 0 : -y[j] * Math.Log(a[j]),

                // L = −Σ [y ln a + (1 − y) ln(1 − a)]
                LossKind.BinaryCrossEntropy =>
                    -((y[j] == 0 ? 0 : y[j] * Math.Log(a[j])) + (y[j] == 1 ? 0 : (1 - y[j]) * Math.Log(1 - a[j]))),
                _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
            };
        }

        return total;
    }

    /// <summary>Σ over the rows of the per-sample loss; inputs and targets are row-major.</summary>
    public double LossSum(IReadOnlyList<double> parameters, LossKind loss, double[] inputs, double[] targets, int rows)
    {
        var total = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var pass = Forward(parameters, Row(inputs, r, InputSize));
            total += Loss(loss, pass.Output, Row(targets, r, OutputSize));
        }

        return total;
    }

    /// <summary>
    /// Analytic backprop for ONE sample: δ of every layer (δ[l] has <see cref="Outputs"/>(l) values).
    /// Output: MSE δ = (a − y) ⊙ σ'(z), or for softmax the Jacobian product δ_k = a_k (g_k − Σ_j g_j a_j)
    /// with g = a − y; cross-entropy (softmax) and binary cross-entropy (sigmoid) δ = a − y.
    /// Hidden: δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ σ'(z^l).
    /// </summary>
    public double[][] Deltas(IReadOnlyList<double> parameters, LossKind loss, SamplePass pass, IReadOnlyList<double> target)
    {
        var last = LayerCount - 1;
        var output = _activations[last];
        if (loss == LossKind.CrossEntropy && output != Activation.Softmax)
        {
            throw new ArgumentException("cross-entropy needs a softmax output", nameof(loss));
        }

        if (loss == LossKind.BinaryCrossEntropy && output != Activation.Sigmoid)
        {
            throw new ArgumentException("binary cross-entropy needs a sigmoid output", nameof(loss));
        }

        var deltas = new double[LayerCount][];
        var a = pass.A[last];
        var delta = new double[a.Length];
        if (loss == LossKind.MeanSquaredError && output == Activation.Softmax)
        {
            var weighted = 0.0;
            for (var j = 0; j < a.Length; j++)
            {
                weighted += (a[j] - target[j]) * a[j];
            }

            for (var k = 0; k < a.Length; k++)
            {
                delta[k] = a[k] * ((a[k] - target[k]) - weighted);
            }
        }
        else if (loss == LossKind.MeanSquaredError)
        {
            for (var j = 0; j < a.Length; j++)
            {
                delta[j] = (a[j] - target[j]) * Derivative(output, pass.Z[last][j], a[j]);
            }
        }
        else
        {
            for (var j = 0; j < a.Length; j++)
            {
                delta[j] = a[j] - target[j];
            }
        }

        deltas[last] = delta;
        for (var l = last - 1; l >= 0; l--)
        {
            var next = deltas[l + 1];
            deltas[l] = new double[Outputs(l)];
            for (var i = 0; i < Outputs(l); i++)
            {
                var sum = 0.0;
                for (var j = 0; j < Outputs(l + 1); j++)
                {
                    sum += parameters[WeightIndex(l + 1, j, i)] * next[j];
                }

                deltas[l][i] = sum * Derivative(_activations[l], pass.Z[l][i], pass.A[l][i]);
            }
        }

        return deltas;
    }

    /// <summary>
    /// Σ over the rows of ∂L/∂θ (∂L/∂W_ji = δ_j a_prev_i, ∂L/∂b_j = δ_j) into <paramref name="gradientSums"/>,
    /// which is overwritten; returns Σ over the rows of L. If <paramref name="magnitudes"/> is given it
    /// receives Σ over the rows of |∂L/∂θ|, the scale against which rounding in a sum is judged.
    /// </summary>
    public double GradientSums(IReadOnlyList<double> parameters, LossKind loss, double[] inputs, double[] targets, int rows, double[] gradientSums, double[]? magnitudes = null)
    {
        CheckLength(gradientSums.Length, ParameterCount, nameof(gradientSums));
        Array.Clear(gradientSums);
        magnitudes ??= new double[ParameterCount];
        CheckLength(magnitudes.Length, ParameterCount, nameof(magnitudes));
        Array.Clear(magnitudes);
        var lossSum = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var target = Row(targets, r, OutputSize);
            var pass = Forward(parameters, Row(inputs, r, InputSize));
            lossSum += Loss(loss, pass.Output, target);
            var deltas = Deltas(parameters, loss, pass, target);
            for (var l = 0; l < LayerCount; l++)
            {
                var previous = pass.Previous(l);
                for (var j = 0; j < Outputs(l); j++)
                {
                    for (var i = 0; i < Inputs(l); i++)
                    {
                        gradientSums[WeightIndex(l, j, i)] += deltas[l][j] * previous[i];
                        magnitudes[WeightIndex(l, j, i)] += Math.Abs(deltas[l][j] * previous[i]);
                    }

                    gradientSums[BiasIndex(l, j)] += deltas[l][j];
                    magnitudes[BiasIndex(l, j)] += Math.Abs(deltas[l][j]);
                }
            }
        }

        return lossSum;
    }

    /// <summary>Central-difference estimate of ∂(Σ_rows L)/∂θ_p, computed in float64.</summary>
    public double NumericGradient(double[] parameters, int index, LossKind loss, double[] inputs, double[] targets, int rows, double step)
    {
        var perturbed = (double[])parameters.Clone();
        perturbed[index] = parameters[index] + step;
        var plus = LossSum(perturbed, loss, inputs, targets, rows);
        perturbed[index] = parameters[index] - step;
        var minus = LossSum(perturbed, loss, inputs, targets, rows);
        return (plus - minus) / (2 * step);
    }

    /// <summary>Row <paramref name="row"/> of a row-major matrix with <paramref name="width"/> columns.</summary>
    public static double[] Row(double[] matrix, int row, int width) => matrix.AsSpan(row * width, width).ToArray();

    /// <summary>σ applied elementwise (softmax over the whole vector, shifted by the maximum).</summary>
    public static double[] Activate(Activation activation, IReadOnlyList<double> z)
    {
        var a = new double[z.Count];
        if (activation == Activation.Softmax)
        {
            var max = z.Max();
            var sum = 0.0;
            for (var k = 0; k < z.Count; k++)
            {
                a[k] = Math.Exp(z[k] - max);
                sum += a[k];
            }

            for (var k = 0; k < z.Count; k++)
            {
                a[k] /= sum;
            }

            return a;
        }

        for (var k = 0; k < z.Count; k++)
        {
            a[k] = activation switch
            {
                Activation.Sigmoid => 1 / (1 + Math.Exp(-z[k])),
                Activation.Tanh => Math.Tanh(z[k]),
                Activation.Relu => z[k] > 0 ? z[k] : 0,
                Activation.Identity => z[k],
                _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
            };
        }

        return a;
    }

    /// <summary>σ'(z) of an elementwise activation, given z and a = σ(z).</summary>
    private static double Derivative(Activation activation, double z, double a) => activation switch
    {
        Activation.Sigmoid => a * (1 - a),
        Activation.Tanh => 1 - (a * a),
        Activation.Relu => z > 0 ? 1 : 0,
        Activation.Identity => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "σ' is elementwise only for non-softmax layers"),
    };

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"expected {expected} values, got {actual}", name);
        }
    }
}

/// <summary>One sample's forward pass: its input, and Z and A of every layer after the input.</summary>
internal sealed record SamplePass(double[] Input, double[][] Z, double[][] A)
{
    public double[] Output => A[^1];

    /// <summary>The activations feeding layer <paramref name="layer"/> (the input for layer 0).</summary>
    public double[] Previous(int layer) => layer == 0 ? Input : A[layer - 1];
}
