using System.Numerics.Tensors;
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
/// <para>With a shard size the sums are taken per leaf (micro-shard) of rows and added along the
/// <see cref="GradientTree"/>, so that a batch split over workers by tree-aligned blocks gives the same
/// bits. Z, A and Δ are per-row, so they are still computed over the whole batch at once; only Σ∂W,
/// Σ∂b and the loss sum go leaf by leaf, each thread's neuron block through its own slice of the
/// tree's stack.</para>
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

    /// <summary>Slots 1.. of the tree's stack, parameter-sized (slot 0 is the caller's gradientSums).</summary>
    private float[][] _stackSlots = [];

    // The pass in progress, read by the parallel parts: spans cannot live in fields, so the caller's
    // spans are pinned for the duration of the pass and seen here as pointers.
    private float* _parameters;
    private float* _inputs;
    private float* _gradientSums;
    private int _rows;
    private int _shardSize;
    private int _layer;

    /// <summary>
    /// Buffers for batches of up to <paramref name="maxRows"/> samples, computed on <paramref name="threads"/>
    /// threads, summed over leaves of at least <paramref name="shardSize"/> rows (default: one leaf).
    /// </summary>
    /// <remarks>A pass with a smaller shard size than the constructor's allocates its extra stack slots once.</remarks>
    public Backpropagator(NetworkSpec spec, int maxRows, int threads = 1, int? shardSize = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        CheckShardSize(shardSize ?? maxRows);
        Spec = spec;
        MaxRows = maxRows;
        var layers = spec.Layers;
        _z = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _a = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _delta = [.. layers.Select(l => new float[maxRows * l.Outputs])];
        _threads = new KernelThreads(threads);
        _forwardPart = ForwardPart;
        _backwardPart = BackwardPart;
        EnsureStackSlots(GradientTree.LeafCount(maxRows, shardSize ?? maxRows));
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
    /// (parameter layout) with Σ over samples of ∂L/∂θ and returns Σ over samples of L, each summed
    /// over the rows in order (one leaf).
    /// </summary>
    public double ComputeGradientSums(ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, Span<float> gradientSums) =>
        ComputeGradientSums(parameters, loss, inputs, targets, rows, Math.Max(rows, 1), gradientSums);

    /// <summary>
    /// Forward and backward over <paramref name="rows"/> samples; overwrites <paramref name="gradientSums"/>
    /// (parameter layout) with Σ over samples of ∂L/∂θ and returns Σ over samples of L, each summed per
    /// leaf of <paramref name="shardSize"/> rows and the leaf sums added along the <see cref="GradientTree"/>.
    /// </summary>
    /// <remarks>
    /// The rows of a tree-aligned block of leaves (<see cref="GradientTree.AlignedBlocks"/>) passed alone,
    /// with the same shard size, give that block's sum; <see cref="GradientTree.Combine"/> of the blocks
    /// gives the bits of the whole batch.
    /// </remarks>
    public double ComputeGradientSums(
        ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, int shardSize, Span<float> gradientSums)
    {
        CheckBatch(parameters, inputs, rows);
        CheckShardSize(shardSize);
        if (targets.Length != rows * Spec.OutputSize)
        {
            throw new ArgumentException($"targets hold {targets.Length} values, expected {rows} rows × {Spec.OutputSize}", nameof(targets));
        }

        if (gradientSums.Length != Spec.ParameterCount)
        {
            throw new ArgumentException($"gradientSums holds {gradientSums.Length} values, expected {Spec.ParameterCount}", nameof(gradientSums));
        }

        EnsureStackSlots(GradientTree.LeafCount(rows, shardSize));
        fixed (float* parameterPointer = parameters, inputPointer = inputs, gradientPointer = gradientSums)
        {
            Begin(parameterPointer, inputPointer, gradientPointer, rows);
            _shardSize = shardSize;
            try
            {
                RunForward();
                var last = Spec.Layers.Count - 1;
                var outputs = Spec.OutputSize;
                var output = Activations(last, rows);
                var lossSum = LeafLossSums(loss, targets);
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

    /// <summary>Σ of the per-sample losses of the last forward pass: per leaf, the leaf sums added along the tree.</summary>
    private double LeafLossSums(LossKind loss, ReadOnlySpan<float> targets)
    {
        var last = Spec.Layers.Count - 1;
        var width = Spec.OutputSize;
        Span<double> sums = stackalloc double[LeafStack.MaxDepth];
        var stack = new LeafStack(stackalloc int[LeafStack.MaxDepth]);
        for (var first = 0; first < _rows; first += _shardSize)
        {
            var values = Math.Min(_shardSize, _rows - first) * width;
            sums[stack.Push()] = LossFunctions.Sum(
                loss, _z[last].AsSpan(first * width, values), _a[last].AsSpan(first * width, values), targets.Slice(first * width, values), width);
            while (stack.TryMerge(out var into))
            {
                sums[into] += sums[into + 1];
            }
        }

        while (stack.TryFold(out var into))
        {
            sums[into] += sums[into + 1];
        }

        return sums[0];
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
            SumLeafGradients(layer, delta, neuron, neurons);
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

    /// <summary>
    /// Σ∂W and Σ∂b of neurons [neuron, neuron + neurons) of <paramref name="layer"/>: each leaf's sums over
    /// its own rows into a stack slot, merged along the tree; the result lands in the caller's gradientSums.
    /// </summary>
    private void SumLeafGradients(LayerSpec layer, ReadOnlySpan<float> delta, int neuron, int neurons)
    {
        var weights = layer.WeightOffset + (neuron * layer.Inputs);
        var weightCount = neurons * layer.Inputs;
        var biases = layer.BiasOffset + neuron;
        var stack = new LeafStack(stackalloc int[LeafStack.MaxDepth]);
        for (var first = 0; first < _rows; first += _shardSize)
        {
            var rows = Math.Min(_shardSize, _rows - first);
            var slot = stack.Push();
            var leafDelta = delta.Slice(first * layer.Outputs, rows * layer.Outputs);
            Gemm.MultiplyTransposedA(
                leafDelta[neuron..], layer.Outputs, PreviousActivations(_layer, first, rows), StackSlot(slot, weights, weightCount), neurons, rows, layer.Inputs, SimdPaths.Best);
            ColumnSums.Compute(leafDelta, layer.Outputs, neuron, StackSlot(slot, biases, neurons));
            while (stack.TryMerge(out var into))
            {
                AddSlots(into, weights, weightCount, biases, neurons);
            }
        }

        while (stack.TryFold(out var into))
        {
            AddSlots(into, weights, weightCount, biases, neurons);
        }
    }

    /// <summary>Slot <paramref name="into"/> += slot <paramref name="into"/> + 1, over the weights and the biases of a neuron block.</summary>
    private void AddSlots(int into, int weights, int weightCount, int biases, int neurons)
    {
        var left = StackSlot(into, weights, weightCount);
        TensorPrimitives.Add(left, StackSlot(into + 1, weights, weightCount), left);
        left = StackSlot(into, biases, neurons);
        TensorPrimitives.Add(left, StackSlot(into + 1, biases, neurons), left);
    }

    /// <summary>Values [offset, offset + length) of stack slot <paramref name="slot"/>; slot 0 is the caller's gradientSums.</summary>
    private Span<float> StackSlot(int slot, int offset, int length) =>
        slot == 0 ? new Span<float>(_gradientSums + offset, length) : _stackSlots[slot - 1].AsSpan(offset, length);

    /// <summary>Allocates the stack slots a batch of <paramref name="leafCount"/> leaves needs, unless already there.</summary>
    private void EnsureStackSlots(int leafCount)
    {
        var needed = LeafStack.Depth(leafCount) - 1;
        if (needed > _stackSlots.Length)
        {
            _stackSlots = [.. _stackSlots, .. Enumerable.Range(0, needed - _stackSlots.Length).Select(_ => new float[Spec.ParameterCount])];
        }
    }

    private static void CheckShardSize(int shardSize)
    {
        if (shardSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shardSize), shardSize, "shardSize must be > 0");
        }
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
