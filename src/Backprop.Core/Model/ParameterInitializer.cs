namespace Backprop.Core.Model;

/// <summary>
/// Seeded initialisation: Glorot/Xavier uniform for sigmoid, tanh, identity and softmax layers,
/// He normal for ReLU layers; biases start at zero. The same seed gives the same bits on every machine.
/// </summary>
public static class ParameterInitializer
{
    /// <summary>A new network with freshly initialised parameters.</summary>
    public static Network Initialize(NetworkSpec spec, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var network = new Network(spec, new float[spec.ParameterCount]);
        // System.Random with a seed uses a fixed, documented-stable algorithm (Net5CompatSeedImpl),
        // so initial weights are reproducible across runs and machines.
        var random = new Random(seed);
        for (var l = 0; l < spec.Layers.Count; l++)
        {
            var layer = spec.Layers[l];
            var weights = network.Weights(l);
            if (layer.Activation == Activation.Relu)
            {
                var std = Math.Sqrt(2.0 / layer.Inputs);
                for (var i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)(std * StandardNormal(random));
                }
            }
            else
            {
                var limit = Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
                for (var i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)(((2 * random.NextDouble()) - 1) * limit);
                }
            }
        }

        return network;
    }

    private static double StandardNormal(Random random)
    {
        // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
