using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class SgdOptimizerTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.05f)]
    public void Step_SeveralSteps_MatchesFloat64Reference(float weightDecay)
    {
        var scenario = new OptimizerScenario(seed: 1);
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, 0.1f, WeightDecay: weightDecay), OptimizerScenario.ParameterCount);
        var parameters = (float[])scenario.InitialParameters.Clone();
        var theta = OptimizerScenario.ToDouble(parameters);

        for (var t = 0; t < OptimizerScenario.LearningRates.Length; t++)
        {
            var eta = OptimizerScenario.LearningRates[t];
            optimizer.Step(parameters, scenario.Gradients[t], eta);
            ReferenceOptimizers.Sgd(theta, OptimizerScenario.ToDouble(scenario.Gradients[t]), eta, weightDecay);

            OptimizerScenario.AssertClose(theta, parameters, t);
        }
    }

    [Fact]
    public void Step_GradientLengthDiffers_ThrowsArgumentException()
    {
        var optimizer = new SgdOptimizer(0f);

        var error = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[2], 0.1f));

        Assert.Contains("gradient has 2 values for 3 parameters", error.Message);
    }
}
