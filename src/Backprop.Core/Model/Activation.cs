namespace Backprop.Core.Model;

/// <summary>The nonlinearity σ applied after a layer's affine map <c>z = W·a_prev + b</c>.</summary>
public enum Activation
{
    /// <summary>σ(z) = 1 / (1 + e^−z); σ' = σ(1 − σ).</summary>
    Sigmoid,

    /// <summary>σ(z) = tanh z; σ' = 1 − σ².</summary>
    Tanh,

    /// <summary>σ(z) = max(0, z); σ' = 1 where z &gt; 0, else 0.</summary>
    Relu,

    /// <summary>σ(z) = z; σ' = 1.</summary>
    Identity,

    /// <summary>σ(z)_k = e^{z_k} / Σ_j e^{z_j}; output layer only.</summary>
    Softmax,
}

/// <summary>The names users write for activations (CLI flags, model JSON).</summary>
public static class ActivationNames
{
    /// <summary>The name of <paramref name="activation"/> as written in flags and files.</summary>
    public static string ToName(this Activation activation) => activation switch
    {
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.Relu => "relu",
        Activation.Identity => "identity",
        Activation.Softmax => "softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Parses a name; returns false for anything that is not an activation.</summary>
    public static bool TryParse(string? name, out Activation activation)
    {
        foreach (var candidate in Enum.GetValues<Activation>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                activation = candidate;
                return true;
            }
        }

        activation = default;
        return false;
    }

    /// <summary>All accepted names, for error messages.</summary>
    public static string AcceptedNames => string.Join(", ", Enum.GetValues<Activation>().Select(a => a.ToName()));
}
