using System.Numerics.Tensors;
using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Training;

/// <summary>
/// Forward and backward passes over a batch (rows = samples) for one network architecture.
/// Keeps Z, A and the per-sample delta rows Δ of every layer of the last pass, and returns the
/// SUMMED weight and bias gradients and the summed loss: exactly what a worker sends back.
/// Owns its buffers, so a pass allocates nothing; not thread-safe (one per thread).
/// </summary>
/// <remarks>
/// Forward, per layer l: Z^l = A^{l−1}·(W^l)ᵀ + b^l, A^l = σ(Z^l).
/// Backward: Δ^L from the loss; Δ^{l−1} = (Δ^l·W^l) ⊙ σ'(Z^{l−1});
/// ΣW^l = (Δ^l)ᵀ·A^{l−1}; Σb^l = column sums of Δ^l.
/// </remarks>
public sealed class Backpropagator
{
    private readonly float[][] _z;
    private readonly float[][] _a;
    private readonly float[][] _delta;
    private readonly float[][] _transposedWeights;

    /// <summary>Buffers for batches of up to <paramref name="maxRows"/> samples.</summary>
    public Backpropagator(NetworkSpec spec, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        Spec = spec;
        MaxRows = maxRows;
        var layers = spec.Layers;
        _z = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _a = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _delta = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _transposedWeights = [.. layers.Select(l => new float[l.WeightCount])];
    }

    /// <summary>The architecture this instance computes.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Largest batch a pass accepts.</summary>
    public int MaxRows { get; }

    /// <summary>Runs the forward pass and returns the output activations, row-major [rows × outputs].</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows)
    {
        CheckBatch(parameters, inputs, rows);
        var previous = inputs;
        for (var l = 0; l < Spec.Layers.Count; l++)
        {
            var layer = Spec.Layers[l];
            var weights = parameters.Slice(layer.WeightOffset, layer.WeightCount);
            var biases = parameters.Slice(layer.BiasOffset, layer.Outputs);
            var z = _z[l].AsSpan(0, rows * layer.Outputs);
            var a = _a[l].AsSpan(0, rows * layer.Outputs);

            Transpose.Matrix(weights, _transposedWeights[l], layer.Outputs, layer.Inputs);
            Gemm.Multiply(previous, _transposedWeights[l], z, rows, layer.Inputs, layer.Outputs);
            for (var r = 0; r < rows; r++)
            {
                var zRow = z.Slice(r * layer.Outputs, layer.Outputs);
                TensorPrimitives.Add(zRow, biases, zRow);
            }

            ActivationKernels.Apply(layer.Activation, z, a, layer.Outputs);
            previous = a;
        }

        return previous;
    }

    /// <summary>
    /// Forward and backward over <paramref name="rows"/> samples; overwrites <paramref name="gradientSums"/>
    /// (parameter layout) with Σ over samples of ∂L/∂θ and returns Σ over samples of L.
    /// </summary>
    public double ComputeGradientSums(ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, Span<float> gradientSums)
    {
        if (targets.Length != rows * Spec.OutputSize)
        {
            throw new ArgumentException($"targets hold {targets.Length} values, expected {rows} rows × {Spec.OutputSize}", nameof(targets));
        }

        if (gradientSums.Length != Spec.ParameterCount)
        {
            throw new ArgumentException($"gradientSums holds {gradientSums.Length} values, expected {Spec.ParameterCount}", nameof(gradientSums));
        }

        var output = Forward(parameters, inputs, rows);
        var last = Spec.Layers.Count - 1;
        var outputs = Spec.OutputSize;
        var lossSum = LossFunctions.Sum(loss, PreActivations(last, rows), output, targets, outputs);
        LossFunctions.OutputDelta(loss, Spec.OutputActivation, output, targets, _delta[last].AsSpan(0, rows * outputs), outputs);

        for (var l = last; l >= 0; l--)
        {
            var layer = Spec.Layers[l];
            var delta = Deltas(l, rows);
            var previous = l == 0 ? inputs : Activations(l - 1, rows);
            Gemm.MultiplyTransposedA(delta, previous, gradientSums.Slice(layer.WeightOffset, layer.WeightCount), layer.Outputs, rows, layer.Inputs);
            ColumnSums.Compute(delta, gradientSums.Slice(layer.BiasOffset, layer.Outputs), layer.Outputs);
            if (l > 0)
            {
                var previousDelta = _delta[l - 1].AsSpan(0, rows * layer.Inputs);
                Gemm.Multiply(delta, parameters.Slice(layer.WeightOffset, layer.WeightCount), previousDelta, rows, layer.Outputs, layer.Inputs);
                ActivationKernels.MultiplyByDerivative(Spec.Layers[l - 1].Activation, previous, previousDelta);
            }
        }

        return lossSum;
    }

    /// <summary>Δ of layer <paramref name="layer"/> from the last backward pass, [rows × outputs of that layer].</summary>
    public ReadOnlySpan<float> Deltas(int layer, int rows) => _delta[layer].AsSpan(0, rows * Spec.Layers[layer].Outputs);

    /// <summary>Z = A_prev·Wᵀ + b of layer <paramref name="layer"/> from the last forward pass, [rows × outputs].</summary>
    public ReadOnlySpan<float> PreActivations(int layer, int rows) => _z[layer].AsSpan(0, rows * Spec.Layers[layer].Outputs);

    /// <summary>A = σ(Z) of layer <paramref name="layer"/> from the last forward pass, [rows × outputs].</summary>
    public ReadOnlySpan<float> Activations(int layer, int rows) => _a[layer].AsSpan(0, rows * Spec.Layers[layer].Outputs);

    private void CheckBatch(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows)
    {
        if (rows < 1 || rows > MaxRows)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"must be in 1..{MaxRows}");
        }

        if (parameters.Length != Spec.ParameterCount)
        {
            throw new ArgumentException($"parameters hold {parameters.Length} values, expected {Spec.ParameterCount}", nameof(parameters));
        }

        if (inputs.Length != rows * Spec.InputSize)
        {
            throw new ArgumentException($"inputs hold {inputs.Length} values, expected {rows} rows × {Spec.InputSize}", nameof(inputs));
        }
    }
}
