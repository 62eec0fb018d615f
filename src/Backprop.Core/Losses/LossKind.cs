using Backprop.Core.Model;

namespace Backprop.Core.Losses;

/// <summary>The per-sample loss a network is trained on.</summary>
public enum LossKind
{
    /// <summary>L = ½ Σ_j (y_j − a_j)²; any output activation (full chain rule for δ^L).</summary>
    MeanSquaredError,

    /// <summary>L = −Σ_j y_j ln a_j with a softmax output; δ^L = a − y.</summary>
    CrossEntropy,

    /// <summary>L = −Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)] with sigmoid outputs; δ^L = a − y.</summary>
    BinaryCrossEntropy,
}

/// <summary>Names and rules of the losses.</summary>
public static class LossKinds
{
    /// <summary>The name of <paramref name="loss"/> as written in flags.</summary>
    public static string ToName(this LossKind loss) => loss switch
    {
        LossKind.MeanSquaredError => "mse",
        LossKind.CrossEntropy => "cross-entropy",
        LossKind.BinaryCrossEntropy => "binary-cross-entropy",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown loss"),
    };

    /// <summary>
    /// Parses a loss name for a network whose output activation is <paramref name="output"/>:
    /// "cross-entropy" means categorical cross-entropy on a softmax output and binary cross-entropy
    /// on a sigmoid output.
    /// </summary>
    /// <exception cref="InvalidInputException">Unknown name, or a loss the output activation cannot use.</exception>
    public static LossKind Parse(string name, Activation output, string field = "--loss")
    {
        var loss = name.ToLowerInvariant() switch
        {
            "mse" => LossKind.MeanSquaredError,
            "cross-entropy" when output == Activation.Sigmoid => LossKind.BinaryCrossEntropy,
            "cross-entropy" => LossKind.CrossEntropy,
            "binary-cross-entropy" => LossKind.BinaryCrossEntropy,
            _ => throw new InvalidInputException($"{field}: unknown loss '{name}' (use mse, cross-entropy or binary-cross-entropy)"),
        };
        EnsureCompatible(loss, output, field);
        return loss;
    }

    /// <summary>Throws unless <paramref name="loss"/> can train an output layer with <paramref name="output"/>.</summary>
    public static void EnsureCompatible(LossKind loss, Activation output, string field = "--loss")
    {
        if (loss == LossKind.CrossEntropy && output != Activation.Softmax)
        {
            throw new InvalidInputException($"{field}: cross-entropy needs a softmax (or sigmoid) output layer, not {output.ToName()}");
        }

        if (loss == LossKind.BinaryCrossEntropy && output != Activation.Sigmoid)
        {
            throw new InvalidInputException($"{field}: binary-cross-entropy needs a sigmoid output layer, not {output.ToName()}");
        }
    }
}
