using System.Runtime.CompilerServices;
using Backprop.Core.Kernels;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;

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
/// <para>With several threads a pass has two phases, each split into fixed blocks, one per thread. Z, A
/// and Δ of a row depend only on that row, so the first phase takes each thread's block of rows through
/// every layer forward, the output delta and every layer's Δ back; the second sums the gradients of a
/// block of every layer's neurons over all rows. Two fork/joins per step instead of two per layer keep a
/// small batch worth splitting. Every output element is computed by the same operations whatever block
/// it falls in, so the gradient sums are bit-identical for any thread count.</para>
/// <para>The step's methods carry <see cref="MethodImplOptions.AggressiveOptimization"/>, as do the kernels,
/// losses and optimizers they call: compiled optimized on first call instead of starting in tier-0 code,
/// the first epochs of a run are as fast as the later ones (docs/performance.md, "Warm-up").</para>
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
    private readonly Action<int> _rowsPart;
    private readonly Action<int> _sumsPart;
    private readonly SimdPath _path;

    /// <summary>Each thread's room for the tree's stack slots of one gradient block (empty until a pass has several leaves).</summary>
    private readonly float[][] _stacks;

    // The pass in progress, read by the parallel parts: spans cannot live in fields, so the caller's
    // spans are pinned for the duration of the pass and seen here as pointers.
    private float* _parameters;
    private float* _inputs;
    private float* _targets;
    private LossKind _loss;
    private OptimizerStep _step;
    private float* _gradientSums;
    private int _rows;
    private int _shardSize;

    /// <summary>
    /// Buffers for batches of up to <paramref name="maxRows"/> samples, computed on <paramref name="threads"/>
    /// threads, summed over leaves of at least <paramref name="shardSize"/> rows (default: one leaf).
    /// </summary>
    /// <remarks>A pass with a smaller shard size than the constructor's allocates its extra stack slots once.</remarks>
    public Backpropagator(NetworkSpec spec, int maxRows, int threads = 1, int? shardSize = null)
        : this(spec, maxRows, threads, shardSize, SimdPaths.Best)
    {
    }

    /// <summary>The same on a given kernel path (tests force each one: every path gives the same bits).</summary>
    internal Backpropagator(NetworkSpec spec, int maxRows, int threads, int? shardSize, SimdPath path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        CheckShardSize(shardSize ?? maxRows);
        Spec = spec;
        MaxRows = maxRows;
        _path = path;
        var layers = spec.Layers;
        _z = [.. layers.Select(l => BatchBuffer(maxRows, l.Outputs))];
        _a = [.. layers.Select(l => BatchBuffer(maxRows, l.Outputs))];
        _delta = [.. layers.Select(l => BatchBuffer(maxRows, l.Outputs))];
        _threads = new KernelThreads(threads);
        _stacks = new float[threads][];
        _rowsPart = RowsPart;
        _sumsPart = SumsPart;
        EnsureStacks(GradientTree.LeafCount(maxRows, shardSize ?? maxRows));
    }

    /// <summary>The architecture this instance computes.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Largest batch a pass accepts.</summary>
    public int MaxRows { get; }

    /// <summary>Threads a pass runs on.</summary>
    public int Threads => _threads.Count;

    /// <summary>Runs the forward pass and returns the output activations, row-major [rows × outputs].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows)
    {
        CheckBatch(parameters, inputs, rows);
        fixed (float* parameterPointer = parameters, inputPointer = inputs)
        {
            Begin(parameterPointer, inputPointer, null, null, rows);
            try
            {
                _threads.Run(_rowsPart);
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
        ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, int shardSize, Span<float> gradientSums) =>
        Pass(parameters, loss, inputs, targets, rows, shardSize, gradientSums, default);

    /// <summary>
    /// <see cref="ComputeGradientSums(ReadOnlySpan{float}, LossKind, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, Span{float})"/>,
    /// then <paramref name="step"/> applied to <paramref name="parameters"/> in place: each thread updates its block
    /// of every layer's neurons as soon as that block's sums are final, so the update runs on all threads and
    /// while the sums are still in cache. The weights get the bits of the sums followed by a whole
    /// <see cref="Optimizer.Step(Span{float}, ReadOnlySpan{float}, int, float)"/>. <paramref name="step"/> is this pass's step,
    /// from <see cref="Optimizer.BeginStep"/> of the optimizer of <paramref name="parameters"/>.
    /// </summary>
    public double ComputeGradientSumsAndStep(
        Span<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, int shardSize, Span<float> gradientSums, OptimizerStep step) =>
        Pass(parameters, loss, inputs, targets, rows, shardSize, gradientSums, step);

    /// <summary>Forward, backward and the gradient sums; then the optimizer step, unless <paramref name="step"/> is the default (none).</summary>
    /// <remarks><paramref name="parameters"/> is written only with a step, which only <see cref="ComputeGradientSumsAndStep"/> passes, with a writable span.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Pass(
        ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, int shardSize, Span<float> gradientSums, OptimizerStep step)
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

        EnsureStacks(GradientTree.LeafCount(rows, shardSize));
        LossKinds.EnsureCompatible(loss, Spec.OutputActivation);
        fixed (float* parameterPointer = parameters, inputPointer = inputs, targetPointer = targets, gradientPointer = gradientSums)
        {
            Begin(parameterPointer, inputPointer, targetPointer, gradientPointer, rows);
            _shardSize = shardSize;
            _loss = loss;
            _step = step;
            try
            {
                _threads.Run(_rowsPart);
                var lossSum = LeafLossSums(loss, targets);
                _threads.Run(_sumsPart);
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

    /// <summary>
    /// First phase, for one block of rows: every layer forward, Z = A_prev·Wᵀ + b (bias added in the GEMM's
    /// store) and A = σ(Z); then, when the pass has targets, δ^L and every layer's Δ back to the first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RowsPart(int part)
    {
        var (first, count) = Block(_rows, part);
        if (count == 0)
        {
            return;
        }

        var layers = Spec.Layers;
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var z = _z[l].AsSpan(first * layer.Outputs, count * layer.Outputs);
            var biases = new ReadOnlySpan<float>(_parameters + layer.BiasOffset, layer.Outputs);
            Gemm.MultiplyTransposedB(PreviousActivations(l, first, count), Weights(layer), biases, z, count, layer.Inputs, layer.Outputs, _path);
            ActivationKernels.Apply(layer.Activation, z, _a[l].AsSpan(first * layer.Outputs, count * layer.Outputs), layer.Outputs, _path);
        }

        if (_targets == null)
        {
            return;
        }

        var last = layers.Count - 1;
        var outputs = Spec.OutputSize;
        var targets = new ReadOnlySpan<float>(_targets + (first * outputs), count * outputs);
        LossFunctions.OutputDelta(_loss, Spec.OutputActivation, _a[last].AsSpan(first * outputs, count * outputs), targets, _delta[last].AsSpan(first * outputs, count * outputs), outputs);
        for (var l = last; l > 0; l--)
        {
            var layer = layers[l];
            var delta = _delta[l].AsSpan(first * layer.Outputs, count * layer.Outputs);
            var previousDelta = _delta[l - 1].AsSpan(first * layer.Inputs, count * layer.Inputs);
            Gemm.Multiply(delta, Weights(layer), previousDelta, count, layer.Outputs, layer.Inputs, _path);
            ActivationKernels.MultiplyByDerivative(layers[l - 1].Activation, PreviousActivations(l, first, count), previousDelta);
        }
    }

    /// <summary>Σ of the per-sample losses of the last forward pass: per leaf, the leaf sums added along the tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LeafLossSums(LossKind loss, ReadOnlySpan<float> targets)
    {
        var last = Spec.Layers.Count - 1;
        var sums = new LossSums(loss, PreActivations(last, _rows), Activations(last, _rows), targets, Spec.OutputSize, stackalloc double[GradientTree.MaxStackDepth]);
        GradientTree.Reduce(_rows, _shardSize, ref sums);
        return sums.Result;
    }

    /// <summary>
    /// Second phase, for one block: the weight and bias gradient sums of a block of every layer's neurons over
    /// all rows, each block's parameters updated right after when the pass has an optimizer step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumsPart(int part)
    {
        for (var l = Spec.Layers.Count - 1; l >= 0; l--)
        {
            var layer = Spec.Layers[l];
            var (neuron, neurons) = Block(layer.Outputs, part);
            if (neurons == 0)
            {
                continue;
            }

            SumGradients(l, _delta[l].AsSpan(0, _rows * layer.Outputs), neuron, neurons, part);
            if (_step.SampleCount > 0) // default(OptimizerStep) counts no samples: no step
            {
                ApplyStep(layer.WeightOffset + (neuron * layer.Inputs), neurons * layer.Inputs);
                ApplyStep(layer.BiasOffset + neuron, neurons);
            }
        }
    }

    /// <summary>Applies the pass's optimizer step to parameters [offset, offset + count), whose sums are final.</summary>
    private void ApplyStep(int offset, int count) =>
        _step.Apply(offset, new Span<float>(_parameters + offset, count), new ReadOnlySpan<float>(_gradientSums + offset, count));

    /// <summary>
    /// Σ∂W and Σ∂b of neurons [neuron, neuron + neurons) of layer <paramref name="index"/>: over all rows at once
    /// when the pass has one leaf, else along the tree in this thread's stack (<see cref="SumLeafGradients"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumGradients(int index, ReadOnlySpan<float> delta, int neuron, int neurons, int part)
    {
        var layer = Spec.Layers[index];
        var weights = new Span<float>(_gradientSums + layer.WeightOffset + (neuron * layer.Inputs), neurons * layer.Inputs);
        var biases = new Span<float>(_gradientSums + layer.BiasOffset + neuron, neurons);
        var depth = GradientTree.StackDepth(GradientTree.LeafCount(_rows, _shardSize));
        if (depth == 1)
        {
            Gemm.MultiplyTransposedA(delta[neuron..], layer.Outputs, PreviousActivations(index, 0, _rows), weights, neurons, _rows, layer.Inputs, _path);
            ColumnSums.Compute(delta, layer.Outputs, neuron, biases);
            return;
        }

        SumLeafGradients(index, delta, neuron, neurons, _stacks[part], depth, weights, biases);
    }

    /// <summary>
    /// Σ∂W and Σ∂b of a block of neurons along the tree, the leaves' sums kept in dense stack slots of
    /// <paramref name="stack"/>. The weights go one block of columns at a time, so that the block's slots
    /// stay in cache while the leaves are added into them; the last addition writes the result out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumLeafGradients(
        int index, ReadOnlySpan<float> delta, int neuron, int neurons, Span<float> stack, int depth, Span<float> weights, Span<float> biases)
    {
        var layer = Spec.Layers[index];
        var previous = PreviousActivations(index, 0, _rows);
        var columns = ColumnBlock(layer.Inputs, neurons, depth);
        for (var column = 0; column < layer.Inputs; column += columns)
        {
            var width = Math.Min(columns, layer.Inputs - column);
            var slots = new StackSlots(stack, neurons, width, weights[column..], layer.Inputs);
            var sums = new WeightSums(layer, delta, previous, neuron, column, slots, _path);
            GradientTree.Reduce(_rows, _shardSize, ref sums);
        }

        var biasSums = new BiasSums(layer, delta, neuron, new StackSlots(stack, 1, neurons, biases, neurons));
        GradientTree.Reduce(_rows, _shardSize, ref biasSums);
    }

    /// <summary>
    /// Columns of a weight block whose <paramref name="depth"/> stack slots fit <see cref="StackBlockBytes"/>:
    /// a multiple of <see cref="StackBlockAlignment"/>, or all of them.
    /// </summary>
    private static int ColumnBlock(int inputs, int neurons, int depth)
    {
        var columns = StackBlockBytes / (depth * neurons * sizeof(float)) / StackBlockAlignment * StackBlockAlignment;
        return Math.Min(Math.Max(columns, StackBlockAlignment), inputs);
    }

    /// <summary>
    /// Gives each thread room for the stack slots of its largest block in any batch of up to
    /// <paramref name="leafCount"/> leaves, unless it has it already. Fewer leaves or fewer neurons can
    /// mean wider column blocks, and their rounding can make those larger, so every case is sized.
    /// </summary>
    private void EnsureStacks(int leafCount)
    {
        var needed = 0;
        for (var depth = 2; depth <= GradientTree.StackDepth(leafCount); depth++)
        {
            for (var l = 0; l < Spec.Layers.Count; l++)
            {
                var layer = Spec.Layers[l];
                for (var part = 0; part < _stacks.Length; part++)
                {
                    var neurons = Block(layer.Outputs, part).Count;
                    needed = neurons == 0 ? needed : Math.Max(needed, depth * neurons * ColumnBlock(layer.Inputs, neurons, depth));
                }
            }
        }

        for (var part = 0; part < _stacks.Length; part++)
        {
            if (needed > (_stacks[part]?.Length ?? 0))
            {
                _stacks[part] = new float[needed];
            }
        }
    }

    /// <summary>A buffer for <paramref name="maxRows"/> rows of <paramref name="width"/> values each.</summary>
    /// <remarks>
    /// The length is taken in 64 bits: as an <see cref="int"/> product, rows × width can wrap within the sizes a request
    /// may name, into a negative length or a buffer too small for its rows.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The buffer would be longer than an array can be.</exception>
    public static float[] BatchBuffer(int maxRows, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        var length = (long)maxRows * width;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxRows), maxRows, $"{maxRows} rows of {width} values are {length} floats, more than one array holds ({Array.MaxLength}); use fewer rows per batch");
        }

        return new float[length];
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

    private void Begin(float* parameters, float* inputs, float* targets, float* gradientSums, int rows)
    {
        _parameters = parameters;
        _inputs = inputs;
        _targets = targets;
        _gradientSums = gradientSums;
        _rows = rows;
    }

    private void End()
    {
        _parameters = null;
        _inputs = null;
        _targets = null;
        _step = default;
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SumLeaf(int slot, int first, int rows)
        {
            var (start, length) = (first * width, rows * width);
            _slots[slot] = LossFunctions.Sum(loss, _z.Slice(start, length), _a.Slice(start, length), _targets.Slice(start, length), width);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddChain(int into, int top)
        {
            var sum = _slots[top];
            for (var slot = top - 1; slot >= into; slot--)
            {
                sum = _slots[slot] + sum;
            }

            _slots[into] = sum;
        }

        public void Finish(int top) => AddChain(0, top);
    }

    /// <summary>
    /// The tree's stack slots for a block of <paramref name="rows"/> × <paramref name="width"/> values, dense
    /// (slot s at <c>stack[s·rows·width ..]</c>), and where the result goes: <paramref name="destination"/>,
    /// rows <paramref name="stride"/> apart.
    /// </summary>
    private readonly ref struct StackSlots(Span<float> stack, int rows, int width, Span<float> destination, int stride)
    {
        private readonly Span<float> _stack = stack;
        private readonly Span<float> _destination = destination;

        public int Rows => rows;

        public int Width => width;

        public Span<float> Slot(int slot) => _stack.Slice(slot * rows * width, rows * width);

        /// <summary>Slot into ← slot into + (slot into + 1 + (… + slot top)), the partial sums kept in the top slot.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddChain(int into, int top)
        {
            var sum = Chain(into + 1, top);
            ElementwiseAdd.Compute(Slot(into), sum, Slot(into));
        }

        /// <summary>destination ← slot 0 + (slot 1 + (… + slot top)), row by row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Finish(int top)
        {
            var bottom = Slot(0);
            var sum = top == 0 ? default : Chain(1, top);
            for (var row = 0; row < rows; row++)
            {
                var target = _destination.Slice(row * stride, width);
                if (top == 0)
                {
                    bottom.Slice(row * width, width).CopyTo(target);
                }
                else
                {
                    ElementwiseAdd.Compute(bottom.Slice(row * width, width), sum.Slice(row * width, width), target);
                }
            }
        }

        /// <summary>Slot from + (… + slot top), computed in the top slot.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private Span<float> Chain(int from, int top)
        {
            var sum = Slot(top);
            for (var slot = top - 1; slot >= from; slot--)
            {
                ElementwiseAdd.Compute(Slot(slot), sum, sum);
            }

            return sum;
        }
    }

    /// <summary>Σ∂W = Δᵀ·A_prev of each leaf for neurons [neuron, neuron + rows) and inputs [column, column + width).</summary>
    private readonly ref struct WeightSums(LayerSpec layer, ReadOnlySpan<float> delta, ReadOnlySpan<float> previous, int neuron, int column, StackSlots slots, SimdPath path)
        : ILeafSums
    {
        private readonly ReadOnlySpan<float> _delta = delta;
        private readonly ReadOnlySpan<float> _previous = previous;
        private readonly StackSlots _slots = slots;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SumLeaf(int slot, int first, int rows)
        {
            var (outputs, inputs) = (layer.Outputs, layer.Inputs);
            Gemm.MultiplyTransposedA(
                _delta[((first * outputs) + neuron)..], outputs, _previous[((first * inputs) + column)..], inputs, _slots.Slot(slot), _slots.Width,
                _slots.Rows, rows, _slots.Width, path);
        }

        public void AddChain(int into, int top) => _slots.AddChain(into, top);

        public void Finish(int top) => _slots.Finish(top);
    }

    /// <summary>Σ∂b = column sums of Δ of each leaf for neurons [neuron, neuron + width).</summary>
    private readonly ref struct BiasSums(LayerSpec layer, ReadOnlySpan<float> delta, int neuron, StackSlots slots) : ILeafSums
    {
        private readonly ReadOnlySpan<float> _delta = delta;
        private readonly StackSlots _slots = slots;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SumLeaf(int slot, int first, int rows) =>
            ColumnSums.Compute(_delta.Slice(first * layer.Outputs, rows * layer.Outputs), layer.Outputs, neuron, _slots.Slot(slot));

        public void AddChain(int into, int top) => _slots.AddChain(into, top);

        public void Finish(int top) => _slots.Finish(top);
    }
}
