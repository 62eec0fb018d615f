using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// Outputs so saturated that a float32 activation rounds to exactly 0 or 1: the loss is still finite
/// and right (it is what the user watches), and δ^L = a − y stays bounded. Expectations by hand.
/// </summary>
public class BackpropagatorSaturationTests
{
    [Fact]
    public void ComputeGradientSums_SoftmaxTargetClassUnderflowsInFloat_ReturnsFiniteHandLoss()
    {
        // Arrange: zero weights, b = (150, 0, −100) → z = b. Target class 2:
        // L = −ln softmax(z)_2 = ln(e^150 + e^0 + e^−100) + 100 = 250 + ln(1 + e^−150 + e^−250) = 250 (to 1e-60),
        // while softmax(z)_2 = e^−250 rounds to 0 in float32 (so −ln a would be ∞).
        var spec = NetworkSpec.Create(2, [], 3, Activation.Identity, Activation.Softmax);
        var parameters = new float[spec.ParameterCount];
        parameters[6] = 150f;
        parameters[7] = 0f;
        parameters[8] = -100f;
        var backpropagator = new Backpropagator(spec, 1);
        var gradientSums = new float[spec.ParameterCount];

        // Act
        var loss = backpropagator.ComputeGradientSums(parameters, LossKind.CrossEntropy, [1f, 1f], [0f, 0f, 1f], 1, gradientSums);

        // Assert: δ = a − y = (1, e^−150, e^−250 − 1) ≈ (1, 0, −1); ∂L/∂W_ji = δ_j · 1
        Assert.Equal(250, loss, 1e-4);
        Assert.Equal([1f, 1f, 0f, 0f, -1f, -1f, 1f, 0f, -1f], gradientSums);
    }

    [Theory]
    [InlineData(120f, 0f)]
    [InlineData(-120f, 1f)]
    public void ComputeGradientSums_SigmoidOutputRoundsToZeroOrOne_ReturnsFiniteHandLoss(float bias, float target)
    {
        // Arrange: z = ±120 with the target on the other side: L = −ln σ(−|z|) = 120 + ln(1 + e^−120) = 120 (to 1e-50),
        // while σ(z) rounds to exactly 1 (or 0) in float32, so ln(1 − a) (or ln a) would be −∞.
        var spec = NetworkSpec.Create(1, [], 1, Activation.Identity, Activation.Sigmoid);
        float[] parameters = [0f, bias];
        var backpropagator = new Backpropagator(spec, 1);
        var gradientSums = new float[spec.ParameterCount];

        // Act
        var loss = backpropagator.ComputeGradientSums(parameters, LossKind.BinaryCrossEntropy, [1f], [target], 1, gradientSums);

        // Assert: δ = a − y = ±1
        Assert.Equal(120, loss, 1e-4);
        Assert.Equal([1 - (2 * target), 1 - (2 * target)], gradientSums);
    }
}
