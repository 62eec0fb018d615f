namespace Backprop.Core.Model;

/// <summary>A network's architecture together with its parameters (one flat buffer, <see cref="NetworkSpec"/> layout).</summary>
public sealed class Network
{
    /// <summary>Wraps <paramref name="parameters"/> (not copied) as the parameters of <paramref name="spec"/>.</summary>
    public Network(NetworkSpec spec, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != spec.ParameterCount)
        {
            throw new ArgumentException($"expected {spec.ParameterCount} parameters for {spec}, got {parameters.Length}", nameof(parameters));
        }

        Spec = spec;
        Parameters = parameters;
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>All weights and biases, layer by layer (W row-major, then b).</summary>
    public float[] Parameters { get; }

    /// <summary>W of layer <paramref name="layer"/> (0 = first layer after the input), row-major [outputs × inputs].</summary>
    public Span<float> Weights(int layer)
    {
        var spec = Spec.Layers[layer];
        return Parameters.AsSpan(spec.WeightOffset, spec.WeightCount);
    }

    /// <summary>b of layer <paramref name="layer"/>.</summary>
    public Span<float> Biases(int layer)
    {
        var spec = Spec.Layers[layer];
        return Parameters.AsSpan(spec.BiasOffset, spec.Outputs);
    }
}
