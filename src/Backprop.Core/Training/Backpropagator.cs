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
/// Σ∂b and the loss sum go leaf by leaf: each thread takes its block of neurons through the tree's
/// stack slots a block of weight columns at a time, small enough to stay in cache.</para>
/// <para>With several threads each phase splits its output into fixed blocks (rows of Z and Δ, neurons
/// of the gradients), one per thread. Every output element is computed by the same operations
/// whatever block it falls in, so the gradient sums are bit-identical for any thread count.</para>
/// </remarks>
public sealed unsafe class Backpropagator : IDisposable
{
    /// <summary>Block sizes are multiples of this, so thread blocks start on whole kernel tiles.</summary>
    private const int BlockAlignment = 8;

    /// <summary>
    /// Bytes of the tree's stack slots that one block of weight columns may span, so that the leaves'
    /// sums are added while they are still in a core's L2 (1 MB on the development machine's Zen 5).
    /// </summary>
    private const int StackBlockBytes = 512 * 1024;

    /// <summary>Blocks of weight columns are a multiple of this wide: two 512-bit vectors, one GEMM strip.</summary>
    private const int StackBlockAlignment = 32;

    private readonly float[][] _z;
    private readonly float[][] _a;
    private readonly float[][] _delta;
    private readonly KernelThreads _threads;
    private readonly Action<int> _forwardPart;
    private readonly Action<int> _backwardPart;

    /// <summary>Slots 1, 2, … of the tree's stack, parameter-sized (slot 0 is the caller's gradientSums).</summary>
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
        var sums = new LossSums(loss, PreActivations(last, _rows), Activations(last, _rows), targets, Spec.OutputSize, stackalloc double[GradientTree.MaxStackDepth]);
        GradientTree.Reduce(_rows, _shardSize, ref sums);
        return sums.Result;
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
    /// Σ∂W and Σ∂b of neurons [neuron, neuron + neurons) of <paramref name="layer"/>, along the tree. The
    /// weights go one block of columns at a time, so the block's stack slots stay in cache while the
    /// leaves are added into them.
    /// </summary>
    private void SumLeafGradients(LayerSpec layer, ReadOnlySpan<float> delta, int neuron, int neurons)
    {
        var previous = PreviousActivations(_layer, 0, _rows);
        var columns = ColumnBlock(layer.Inputs, neurons);
        for (var column = 0; column < layer.Inputs; column += columns)
        {
            var weights = new WeightSums(this, layer, delta, previous, neuron, neurons, column, Math.Min(columns, layer.Inputs - column));
            GradientTree.Reduce(_rows, _shardSize, ref weights);
        }

        var biases = new BiasSums(this, layer, delta, neuron, neurons);
        GradientTree.Reduce(_rows, _shardSize, ref biases);
    }

    /// <summary>
    /// Columns of a weight block whose stack slots fit <see cref="StackBlockBytes"/>: all of them when the
    /// pass has one leaf (nothing to add), else a multiple of <see cref="StackBlockAlignment"/>.
    /// </summary>
    private int ColumnBlock(int inputs, int neurons)
    {
        var depth = GradientTree.StackDepth(GradientTree.LeafCount(_rows, _shardSize));
        if (depth == 1)
        {
            return inputs;
        }

        var columns = StackBlockBytes / (depth * neurons * sizeof(float)) / StackBlockAlignment * StackBlockAlignment;
        return Math.Min(Math.Max(columns, StackBlockAlignment), inputs);
    }

    /// <summary>
    /// Slot <paramref name="into"/> ← slot into + (slot into + 1 + (… + slot <paramref name="top"/>)) over a
    /// block of <paramref name="rows"/> × <paramref name="width"/> values, rows <paramref name="stride"/> apart,
    /// from <paramref name="offset"/>. The partial sums go into the top slot, which is free afterwards.
    /// </summary>
    private void AddChain(int into, int top, int offset, int rows, int width, int stride)
    {
        for (var r = 0; r < rows; r++)
        {
            var start = offset + (r * stride);
            var sum = StackSlot(top, start, width);
            for (var slot = top - 1; slot > into; slot--)
            {
                TensorPrimitives.Add(StackSlot(slot, start, width), sum, sum);
            }

            var destination = StackSlot(into, start, width);
            TensorPrimitives.Add(destination, sum, destination);
        }
    }

    /// <summary>Values [offset, offset + length) of stack slot <paramref name="slot"/>; slot 0 is the caller's gradientSums.</summary>
    private Span<float> StackSlot(int slot, int offset, int length) =>
        slot == 0 ? new Span<float>(_gradientSums + offset, length) : _stackSlots[slot - 1].AsSpan(offset, length);

    /// <summary>Allocates the stack slots a batch of <paramref name="leafCount"/> leaves needs, unless already there.</summary>
    private void EnsureStackSlots(int leafCount)
    {
        var needed = GradientTree.StackDepth(leafCount) - 1;
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
    /// <summary>The loss sum of each leaf (<see cref="LossFunctions.Sum"/> over its rows), in double slots.</summary>
    private readonly ref struct LossSums(LossKind loss, ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> targets, int width, Span<double> slots)
        : ILeafSums
    {
        private readonly ReadOnlySpan<float> _z = z;
        private readonly ReadOnlySpan<float> _a = a;
        private readonly ReadOnlySpan<float> _targets = targets;
        private readonly Span<double> _slots = slots;

        public double Result => _slots[0];

        public void SumLeaf(int slot, int first, int rows)
        {
            var (start, length) = (first * width, rows * width);
            _slots[slot] = LossFunctions.Sum(loss, _z.Slice(start, length), _a.Slice(start, length), _targets.Slice(start, length), width);
        }

        public void AddChain(int into, int top)
        {
            var sum = _slots[top];
            for (var slot = top - 1; slot >= into; slot--)
            {
                sum = _slots[slot] + sum;
            }

            _slots[into] = sum;
        }
    }

    /// <summary>Σ∂W = Δᵀ·A_prev of each leaf for neurons [neuron, neuron + neurons) and inputs [column, column + columns).</summary>
    private readonly ref struct WeightSums(
        Backpropagator owner, LayerSpec layer, ReadOnlySpan<float> delta, ReadOnlySpan<float> previous, int neuron, int neurons, int column, int columns)
        : ILeafSums
    {
        private readonly ReadOnlySpan<float> _delta = delta;
        private readonly ReadOnlySpan<float> _previous = previous;
        private readonly int _offset = layer.WeightOffset + (neuron * layer.Inputs) + column;

        public void SumLeaf(int slot, int first, int rows)
        {
            var (outputs, inputs) = (layer.Outputs, layer.Inputs);
            Gemm.MultiplyTransposedA(
                _delta[((first * outputs) + neuron)..], outputs,
                _previous[((first * inputs) + column)..], inputs,
                owner.StackSlot(slot, _offset, ((neurons - 1) * inputs) + columns), inputs,
                neurons, rows, columns, SimdPaths.Best);
        }

        public void AddChain(int into, int top) => owner.AddChain(into, top, _offset, neurons, columns, layer.Inputs);
    }

    /// <summary>Σ∂b = column sums of Δ of each leaf for neurons [neuron, neuron + neurons).</summary>
    private readonly ref struct BiasSums(Backpropagator owner, LayerSpec layer, ReadOnlySpan<float> delta, int neuron, int neurons) : ILeafSums
    {
        private readonly ReadOnlySpan<float> _delta = delta;

        public void SumLeaf(int slot, int first, int rows) =>
            ColumnSums.Compute(_delta.Slice(first * layer.Outputs, rows * layer.Outputs), layer.Outputs, neuron, owner.StackSlot(slot, layer.BiasOffset + neuron, neurons));

        public void AddChain(int into, int top) => owner.AddChain(into, top, layer.BiasOffset + neuron, 1, neurons, neurons);
    }
}
