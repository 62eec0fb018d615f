using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Training;

/// <summary>
/// Forward and backward passes over a batch (rows = samples) for one network architecture.
/// Keeps Z, A and the per-sample delta rows Δ of every layer of the last pass, and returns the
/// SUMMED weight and bias gradients and the summed loss: exactly what a worker sends back.
/// Owns its buffers and threads, so a pass allocates nothing; one pass at a time per instance.
/// </summary>
/// <remarks>
/// <para>Forward, per layer l: Z^l = A^{l−1}·(W^l)ᵀ + b^l, A^l = σ(Z^l).
/// Backward: Δ^L from the loss; Σ∂W^l = (Δ^l)ᵀ·A^{l−1}; Σ∂b^l = column sums of Δ^l;
/// Δ^{l−1} = (Δ^l·W^l) ⊙ σ'(Z^{l−1}).</para>
/// <para>With several threads each phase splits its output into fixed blocks (rows of Z and Δ, neurons
/// of the gradients), one per thread. Every output element is computed by the same operations
/// whatever block it falls in, so the gradient sums are bit-identical for any thread count.</para>
/// </remarks>
public sealed unsafe class Backpropagator : IDisposable
{
    /// <summary>Block sizes are multiples of this, so thread blocks start on whole kernel tiles.</summary>
    private const int BlockAlignment = 8;

    private readonly float[][] _z;
    private readonly float[][] _a;
    private readonly float[][] _delta;
    private readonly KernelThreads _threads;
    private readonly Action<int> _forwardPart;
    private readonly Action<int> _backwardPart;

    // The pass in progress, read by the parallel parts: spans cannot live in fields, so the caller's
    // spans are pinned for the duration of the pass and seen here as pointers.
    private float* _parameters;
    private float* _inputs;
    private float* _gradientSums;
    private int _rows;
    private int _layer;

    /// <summary>Buffers for batches of up to <paramref name="maxRows"/> samples, computed on <paramref name="threads"/> threads.</summary>
    public Backpropagator(NetworkSpec spec, int maxRows, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Spec = spec;
        MaxRows = maxRows;
        var layers = spec.Layers;
        _z = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _a = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _delta = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _threads = new KernelThreads(threads);
        _forwardPart = ForwardPart;
        _backwardPart = BackwardPart;
    }

    /// <summary>The architecture this instance computes.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Largest batch a pass accepts.</summary>
    public int MaxRows { get; }

    /// <summary>Threads a pass runs on.</summary>
    public int Threads => _threads.Count;

    /// <summary>Runs the forward pass and returns the output activations, row-major [rows × outputs].</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows)
    {
        CheckBatch(parameters, inputs, rows);
        fixed (float* parameterPointer = parameters, inputPointer = inputs)
        {
            Begin(parameterPointer, inputPointer, null, rows);
            try
            {
                RunForward();
            }
            finally
            {
                End();
            }
        }

        return Activations(Spec.Layers.Count - 1, rows);
    }

    /// <summary>
    /// Forward and backward over <paramref name="rows"/> samples; overwrites <paramref name="gradientSums"/>
    /// (parameter layout) with Σ over samples of ∂L/∂θ and returns Σ over samples of L.
    /// </summary>
    public double ComputeGradientSums(ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, Span<float> gradientSums)
    {
        CheckBatch(parameters, inputs, rows);
        if (targets.Length != rows * Spec.OutputSize)
        {
            throw new ArgumentException($"targets hold {targets.Length} values, expected {rows} rows × {Spec.OutputSize}", nameof(targets));
        }

        if (gradientSums.Length != Spec.ParameterCount)
        {
            throw new ArgumentException($"gradientSums holds {gradientSums.Length} values, expected {Spec.ParameterCount}", nameof(gradientSums));
        }

        fixed (float* parameterPointer = parameters, inputPointer = inputs, gradientPointer = gradientSums)
        {
            Begin(parameterPointer, inputPointer, gradientPointer, rows);
            try
            {
                RunForward();
                var last = Spec.Layers.Count - 1;
                var outputs = Spec.OutputSize;
                var output = Activations(last, rows);
                var lossSum = LossFunctions.Sum(loss, PreActivations(last, rows), output, targets, outputs);
                LossFunctions.OutputDelta(loss, Spec.OutputActivation, output, targets, _delta[last].AsSpan(0, rows * outputs), outputs);
                for (_layer = last; _layer >= 0; _layer--)
                {
                    _threads.Run(_backwardPart);
                }

                return lossSum;
            }
            finally
            {
                End();
            }
        }
    }

    /// <summary>Δ of layer <paramref name="layer"/> from the last backward pass, [rows × outputs of that layer].</summary>
    public ReadOnlySpan<float> Deltas(int layer, int rows) => LayerRows(_delta, layer, rows);

    /// <summary>Z = A_prev·Wᵀ + b of layer <paramref name="layer"/> from the last forward pass, [rows × outputs].</summary>
    public ReadOnlySpan<float> PreActivations(int layer, int rows) => LayerRows(_z, layer, rows);

    /// <summary>A = σ(Z) of layer <paramref name="layer"/> from the last forward pass, [rows × outputs].</summary>
    public ReadOnlySpan<float> Activations(int layer, int rows) => LayerRows(_a, layer, rows);

    /// <summary>Stops the helper threads.</summary>
    public void Dispose() => _threads.Dispose();

    private void RunForward()
    {
        for (_layer = 0; _layer < Spec.Layers.Count; _layer++)
        {
            _threads.Run(_forwardPart);
        }
    }

    /// <summary>Forward phase of layer <see cref="_layer"/> for one block of rows: Z = A_prev·Wᵀ + b (bias added in the GEMM's store), A = σ(Z).</summary>
    private void ForwardPart(int part)
    {
        var layer = Spec.Layers[_layer];
        var (first, count) = Block(_rows, part);
        if (count == 0)
        {
            return;
        }

        var previous = PreviousActivations(_layer, first, count);
        var z = _z[_layer].AsSpan(first * layer.Outputs, count * layer.Outputs);
        var biases = new ReadOnlySpan<float>(_parameters + layer.BiasOffset, layer.Outputs);
        Gemm.MultiplyTransposedB(previous, Weights(layer), biases, z, count, layer.Inputs, layer.Outputs, SimdPaths.Best);
        ActivationKernels.Apply(layer.Activation, z, _a[_layer].AsSpan(first * layer.Outputs, count * layer.Outputs), layer.Outputs);
    }

    /// <summary>
    /// Backward phase of layer <see cref="_layer"/> for one block: the weight and bias gradient sums of a
    /// block of its neurons, then Δ of the previous layer for a block of rows.
    /// </summary>
    private void BackwardPart(int part)
    {
        var layer = Spec.Layers[_layer];
        var delta = _delta[_layer].AsSpan(0, _rows * layer.Outputs);
        var (neuron, neurons) = Block(layer.Outputs, part);
        if (neurons > 0)
        {
            var weightGradient = new Span<float>(_gradientSums + layer.WeightOffset + (neuron * layer.Inputs), neurons * layer.Inputs);
            Gemm.MultiplyTransposedA(delta[neuron..], layer.Outputs, PreviousActivations(_layer, 0, _rows), weightGradient, neurons, _rows, layer.Inputs, SimdPaths.Best);
            ColumnSums.Compute(delta, layer.Outputs, neuron, new Span<float>(_gradientSums + layer.BiasOffset + neuron, neurons));
        }

        var (first, count) = Block(_rows, part);
        if (_layer == 0 || count == 0)
        {
            return;
        }

        var previousDelta = _delta[_layer - 1].AsSpan(first * layer.Inputs, count * layer.Inputs);
        Gemm.Multiply(delta.Slice(first * layer.Outputs, count * layer.Outputs), Weights(layer), previousDelta, count, layer.Outputs, layer.Inputs);
        ActivationKernels.MultiplyByDerivative(Spec.Layers[_layer - 1].Activation, PreviousActivations(_layer, first, count), previousDelta);
    }

    private ReadOnlySpan<float> Weights(LayerSpec layer) => new(_parameters + layer.WeightOffset, layer.WeightCount);

    /// <summary>Rows first..first+count−1 of the input to layer <paramref name="layer"/>.</summary>
    private ReadOnlySpan<float> PreviousActivations(int layer, int first, int count)
    {
        var width = Spec.Layers[layer].Inputs;
        return layer == 0
            ? new ReadOnlySpan<float>(_inputs + (first * width), count * width)
            : _a[layer - 1].AsSpan(first * width, count * width);
    }

    /// <summary>The block of <paramref name="total"/> items that <paramref name="part"/> owns: equal, aligned, fixed by the thread count.</summary>
    private (int First, int Count) Block(int total, int part)
    {
        var parts = _threads.Count;
        var size = (total + parts - 1) / parts;
        size = (size + BlockAlignment - 1) / BlockAlignment * BlockAlignment;
        var first = Math.Min(total, part * size);
        return (first, Math.Min(size, total - first));
    }

    private void Begin(float* parameters, float* inputs, float* gradientSums, int rows)
    {
        _parameters = parameters;
        _inputs = inputs;
        _gradientSums = gradientSums;
        _rows = rows;
    }

    private void End()
    {
        _parameters = null;
        _inputs = null;
        _gradientSums = null;
    }

    private ReadOnlySpan<float> LayerRows(float[][] buffers, int layer, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, buffers.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, MaxRows);
        return buffers[layer].AsSpan(0, rows * Spec.Layers[layer].Outputs);
    }

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
