using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class MomentumOptimizerTests
{
    [Theory]
    [InlineData(false, 0.9f, 0f)]
    [InlineData(false, 0.9f, 0.05f)]
    [InlineData(false, 0.5f, 0f)]
    [InlineData(true, 0.9f, 0f)]
    [InlineData(true, 0.9f, 0.05f)]
    [InlineData(true, 0.5f, 0.05f)]
    public void Step_SeveralSteps_MatchesFloat64Reference(bool nesterov, float momentum, float weightDecay)
    {
        var scenario = new OptimizerScenario(seed: 2);
        var settings = new OptimizerSettings(OptimizerKind.Momentum, 0.1f, Momentum: momentum, Nesterov: nesterov, WeightDecay: weightDecay);
        var optimizer = (MomentumOptimizer)Optimizer.Create(settings, OptimizerScenario.ParameterCount);
        var parameters = (float[])scenario.InitialParameters.Clone();
        var theta = OptimizerScenario.ToDouble(parameters);
        var velocity = new double[theta.Length];

        for (var t = 0; t < OptimizerScenario.LearningRates.Length; t++)
        {
            var eta = OptimizerScenario.LearningRates[t];
            var gradient = OptimizerScenario.ToDouble(scenario.Gradients[t]);
            optimizer.Step(parameters, scenario.Gradients[t], eta);
            if (nesterov)
            {
                ReferenceOptimizers.Nesterov(theta, velocity, gradient, eta, momentum, weightDecay);
            }
            else
            {
                ReferenceOptimizers.Momentum(theta, velocity, gradient, eta, momentum, weightDecay);
            }

            OptimizerScenario.AssertClose(theta, parameters, t);
        }
    }

    [Fact]
    public void Velocity_AfterSteps_IsTheAccumulatedGradient()
    {
        var optimizer = new MomentumOptimizer(momentum: 0.5f, nesterov: false, weightDecay: 0f, parameterCount: 2);
        var parameters = new float[] { 1f, 1f };

        optimizer.Step(parameters, [1f, -2f], 0.1f);
        optimizer.Step(parameters, [1f, 4f], 0.1f);

        // b₂ = μ·g₁ + g₂
        Assert.Equal([1.5f, 3f], optimizer.Velocity.ToArray());
    }

    [Fact]
    public void Step_ParameterCountDiffersFromCreation_ThrowsArgumentException()
    {
        var optimizer = new MomentumOptimizer(0.9f, nesterov: false, weightDecay: 0f, parameterCount: 4);

        var error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[3], 0.1f));

        Assert.Contains("created for 4 parameters, got 3", error.Message);
    }
}
