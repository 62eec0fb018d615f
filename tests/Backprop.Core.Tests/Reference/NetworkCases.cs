using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Reference;

/// <summary>The architectures and activation/loss pairings the gradient tests sweep.</summary>
internal static class NetworkCases
{
    /// <summary>3 inputs, two hidden layers (5 and 4), 3 outputs.</summary>
    public static readonly int[] SmallNetwork = [3, 5, 4, 3];

    /// <summary>Batch size of the sweeps.</summary>
    public const int SweepRows = 4;

    public static readonly Activation[] HiddenActivations =
        [Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Identity];

    /// <summary>
    /// Every valid (hidden, output, loss): MSE with every output activation, cross-entropy with a
    /// softmax output, binary cross-entropy with a sigmoid output — 4 × 7 = 28 cases.
    /// </summary>
    public static IEnumerable<object[]> EveryValidCombination()
    {
        foreach (var hidden in HiddenActivations)
        {
            foreach (var output in Enum.GetValues<Activation>())
            {
                yield return [hidden, output, LossKind.MeanSquaredError];
            }

            yield return [hidden, Activation.Softmax, LossKind.CrossEntropy];
            yield return [hidden, Activation.Sigmoid, LossKind.BinaryCrossEntropy];
        }
    }

    /// <summary>A seed that differs per case, so each case draws its own network.</summary>
    public static int SeedFor(Activation hidden, Activation output, LossKind loss) =>
        1000 + (100 * (int)hidden) + (10 * (int)output) + (int)loss;

    /// <summary>E.g. "layer 1 W[2,3]" or "layer 2 b[0]" for a flat parameter index.</summary>
    public static string DescribeParameter(NetworkSpec spec, int index)
    {
        for (var l = 0; l < spec.Layers.Count; l++)
        {
            var layer = spec.Layers[l];
            if (index >= layer.WeightOffset && index < layer.BiasOffset)
            {
                var k = index - layer.WeightOffset;
                return $"layer {l} W[{k / layer.Inputs},{k % layer.Inputs}]";
            }

            if (index >= layer.BiasOffset && index < layer.BiasOffset + layer.Outputs)
            {
                return $"layer {l} b[{index - layer.BiasOffset}]";
            }
        }

        return $"index {index} (outside the network)";
    }
}
