namespace Backprop.Core.Model;

/// <summary>
/// One fully-connected layer: <c>z = W·a_prev + b</c>, <c>a = σ(z)</c>, with W stored row-major
/// as [<see cref="Outputs"/> × <see cref="Inputs"/>] (row j holds the weights into neuron j).
/// </summary>
/// <param name="Inputs">Neurons in the previous layer (the length of a_prev).</param>
/// <param name="Outputs">Neurons in this layer (the length of z and a).</param>
/// <param name="Activation">σ of this layer.</param>
/// <param name="WeightOffset">Where W starts in the network's flat parameter buffer.</param>
public sealed record LayerSpec(int Inputs, int Outputs, Activation Activation, int WeightOffset)
{
    /// <summary>Number of weights, <c>Outputs × Inputs</c>.</summary>
    public int WeightCount => Outputs * Inputs;

    /// <summary>Where b starts in the flat parameter buffer (right after W).</summary>
    public int BiasOffset => WeightOffset + WeightCount;

    /// <summary>Weights plus biases.</summary>
    public int ParameterCount => WeightCount + Outputs;
}
