using Backprop.Core.Model;

namespace Backprop.Server.Jobs;

/// <summary>
/// The network a job asks for before its dataset is known: a <see cref="NetworkSpec"/> whose input size and
/// last layer's outputs may still be 0, meaning "the dataset's".
/// </summary>
/// <param name="InputSize">Inputs of the first layer; 0 takes the dataset's input size.</param>
/// <param name="Layers">The layers after the input, first to last (at least one).</param>
public sealed record JobArchitecture(int InputSize, IReadOnlyList<JobLayer> Layers)
{
    /// <summary>Outputs of the last layer; 0 takes the dataset's target size.</summary>
    public int OutputSize => Layers[^1].Outputs;

    /// <summary>The last layer's activation, which decides the default loss.</summary>
    public Activation OutputActivation => Layers[^1].Activation;

    /// <summary>Neuron counts, input first, with a 0 input or output size replaced by <paramref name="inputSize"/> or <paramref name="outputSize"/>.</summary>
    public IReadOnlyList<int> LayerSizes(int inputSize, int outputSize) =>
    [
        InputSize == 0 ? inputSize : InputSize,
        .. Layers.Take(Layers.Count - 1).Select(l => l.Outputs),
        OutputSize == 0 ? outputSize : OutputSize,
    ];

    /// <summary>The activation of each layer after the input, in order.</summary>
    public IReadOnlyList<Activation> Activations => [.. Layers.Select(l => l.Activation)];
}
