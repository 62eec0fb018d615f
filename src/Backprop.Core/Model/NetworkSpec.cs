namespace Backprop.Core.Model;

/// <summary>
/// The architecture of a fully-connected network and the layout of its parameters in ONE
/// contiguous float buffer: layer by layer, W (row-major [outputs × inputs]) then b.
/// Gradients use the same layout.
/// </summary>
public sealed class NetworkSpec
{
    /// <summary>Largest parameter count a network may have (what fits one float array).</summary>
    public const long MaxParameters = int.MaxValue / 2;

    private readonly LayerSpec[] _layers;

    /// <summary>
    /// Creates a network with neuron counts <paramref name="layerSizes"/> (input first, output last)
    /// and one activation per non-input layer.
    /// </summary>
    /// <exception cref="InvalidInputException">A size is not positive, the counts disagree,
    /// softmax is used on a hidden layer, or the network is too large.</exception>
    public NetworkSpec(IReadOnlyList<int> layerSizes, IReadOnlyList<Activation> activations)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(activations);
        if (layerSizes.Count < 2)
        {
            throw new InvalidInputException($"network: layer sizes: need at least an input and an output layer, got {layerSizes.Count} size(s)");
        }

        if (activations.Count != layerSizes.Count - 1)
        {
            throw new InvalidInputException($"network: activations: need one per layer after the input ({layerSizes.Count - 1}), got {activations.Count}");
        }

        for (var i = 0; i < layerSizes.Count; i++)
        {
            if (layerSizes[i] <= 0)
            {
                throw new InvalidInputException($"network: layer {i} size: must be positive, got {layerSizes[i]}");
            }
        }

        for (var l = 0; l < activations.Count - 1; l++)
        {
            if (activations[l] == Activation.Softmax)
            {
                throw new InvalidInputException($"network: layer {l + 1} activation: softmax is only allowed on the output layer");
            }
        }

        _layers = new LayerSpec[activations.Count];
        long offset = 0;
        for (var l = 0; l < _layers.Length; l++)
        {
            long count = ((long)layerSizes[l] * layerSizes[l + 1]) + layerSizes[l + 1];
            if (offset + count > MaxParameters)
            {
                throw new InvalidInputException($"network: layer sizes: more than {MaxParameters} parameters");
            }

            _layers[l] = new LayerSpec(layerSizes[l], layerSizes[l + 1], activations[l], (int)offset);
            offset += count;
        }

        ParameterCount = (int)offset;
    }

    /// <summary>
    /// Convenience: every hidden layer uses <paramref name="hidden"/>, the output layer <paramref name="output"/>.
    /// </summary>
    public static NetworkSpec Create(int inputs, IReadOnlyList<int> hiddenSizes, int outputs, Activation hidden, Activation output)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        var sizes = new List<int> { inputs };
        sizes.AddRange(hiddenSizes);
        sizes.Add(outputs);
        var activations = Enumerable.Repeat(hidden, hiddenSizes.Count).Append(output).ToArray();
        return new NetworkSpec(sizes, activations);
    }

    /// <summary>The layers after the input, in order.</summary>
    public IReadOnlyList<LayerSpec> Layers => _layers;

    /// <summary>Size of the input vector.</summary>
    public int InputSize => _layers[0].Inputs;

    /// <summary>Size of the output vector.</summary>
    public int OutputSize => _layers[^1].Outputs;

    /// <summary>The output layer's activation.</summary>
    public Activation OutputActivation => _layers[^1].Activation;

    /// <summary>Total number of floats in the parameter buffer.</summary>
    public int ParameterCount { get; }

    /// <summary>Neuron counts, input first: e.g. 784, 256, 128, 10.</summary>
    public IReadOnlyList<int> LayerSizes => [InputSize, .. _layers.Select(l => l.Outputs)];

    /// <summary>E.g. <c>784-256(relu)-10(softmax)</c>.</summary>
    public override string ToString() =>
        InputSize + string.Concat(_layers.Select(l => $"-{l.Outputs}({l.Activation.ToName()})"));
}
