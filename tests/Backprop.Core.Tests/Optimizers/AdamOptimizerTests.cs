using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class AdamOptimizerTests
{
    [Theory]
    [InlineData(0.9f, 0.999f, 1e-8f, 0f)]
    [InlineData(0.9f, 0.999f, 1e-8f, 0.05f)]
    [InlineData(0.8f, 0.99f, 1e-2f, 0f)]
    [InlineData(0.5f, 0.9f, 1e-1f, 0.05f)]
    public void Step_SeveralSteps_MatchesFloat64Reference(float beta1, float beta2, float epsilon, float weightDecay)
    {
        var scenario = new OptimizerScenario(seed: 3);
        var settings = new OptimizerSettings(OptimizerKind.Adam, 0.1f, Beta1: beta1, Beta2: beta2, Epsilon: epsilon, WeightDecay: weightDecay);
        var optimizer = (AdamOptimizer)Optimizer.Create(settings, OptimizerScenario.ParameterCount);
        var parameters = (float[])scenario.InitialParameters.Clone();
        var theta = OptimizerScenario.ToDouble(parameters);
        var m = new double[theta.Length];
        var v = new double[theta.Length];

        for (var t = 0; t < OptimizerScenario.LearningRates.Length; t++)
        {
            var eta = OptimizerScenario.LearningRates[t];
            optimizer.Step(parameters, scenario.Gradients[t], eta);
            ReferenceOptimizers.Adam(theta, m, v, OptimizerScenario.ToDouble(scenario.Gradients[t]), t + 1, eta, beta1, beta2, epsilon, weightDecay);

            OptimizerScenario.AssertClose(theta, parameters, t);
        }

        Assert.Equal(OptimizerScenario.LearningRates.Length, optimizer.StepCount);
    }

    [Fact]
    public void Step_FirstStep_MovesEveryParameterByAboutTheLearningRate()
    {
        // With bias correction, m̂/√v̂ = g/|g| on step 1: the textbook property that makes Adam's first
        // step size independent of the gradient's scale.
        var optimizer = new AdamOptimizer(0.9f, 0.999f, 1e-8f, 0f, parameterCount: 3);
        var parameters = new float[] { 1f, 1f, 1f };

        optimizer.Step(parameters, [1e-3f, -5f, 200f], 0.01f);

        Assert.Equal(0.99, parameters[0], 1e-5);
        Assert.Equal(1.01, parameters[1], 1e-5);
        Assert.Equal(0.99, parameters[2], 1e-5);
    }
}
