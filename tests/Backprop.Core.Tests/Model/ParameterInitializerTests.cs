using Backprop.Core.Model;

namespace Backprop.Core.Tests.Model;

public class ParameterInitializerTests
{
    [Fact]
    public void Initialize_SameSeed_SameBits()
    {
        var spec = NetworkSpec.Create(20, [10], 3, Activation.Relu, Activation.Softmax);

        Assert.Equal(ParameterInitializer.Initialize(spec, 5).Parameters, ParameterInitializer.Initialize(spec, 5).Parameters);
        Assert.NotEqual(ParameterInitializer.Initialize(spec, 5).Parameters, ParameterInitializer.Initialize(spec, 6).Parameters);
    }

    [Fact]
    public void Initialize_SigmoidLayer_GlorotUniformWithinLimit()
    {
        var spec = NetworkSpec.Create(300, [], 100, Activation.Sigmoid, Activation.Sigmoid);
        var limit = Math.Sqrt(6.0 / (300 + 100));

        var network = ParameterInitializer.Initialize(spec, 1);

        var weights = network.Weights(0).ToArray();
        Assert.All(weights, w => Assert.InRange(w, -limit, limit));
        var variance = weights.Average(w => (double)w * w);
        Assert.InRange(variance, 0.9 * limit * limit / 3, 1.1 * limit * limit / 3); // Var U(−l, l) = l²/3
        Assert.All(network.Biases(0).ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Initialize_ReluLayer_HeNormalVariance()
    {
        var spec = NetworkSpec.Create(400, [200], 10, Activation.Relu, Activation.Softmax);

        var weights = ParameterInitializer.Initialize(spec, 1).Weights(0).ToArray();

        var mean = weights.Average(w => (double)w);
        var variance = weights.Average(w => ((double)w - mean) * (w - mean));
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(variance, 0.95 * 2.0 / 400, 1.05 * 2.0 / 400);
    }
}
