using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// The seed's worked example, with every expectation computed by hand:
/// one sigmoid layer, a_prev = (1, 0.5), output a = (0.3, 0.5, 0.2), target y = (0, 1, 0), MSE.
/// δ = (a − y) ⊙ a ⊙ (1 − a) = (0.3·0.3·0.7, −0.5·0.5·0.5, 0.2·0.2·0.8) = (0.063, −0.125, 0.032);
/// ∂L/∂W_ji = δ_j · a_prev_i; ∂L/∂b_j = δ_j; L = ½(0.3² + 0.5² + 0.2²) = 0.19.
/// </summary>
public class BackpropagatorWorkedExampleTests
{
    private const double Tolerance = 1e-6;

    private static readonly float[] PreviousActivations = [1f, 0.5f];
    private static readonly double[] OutputActivations = [0.3, 0.5, 0.2];
    private static readonly float[] Targets = [0f, 1f, 0f];

    /// <summary>
    /// Nonzero weights, so W·a_prev matters (a transposed W would give other z): row j of W is
    /// (w_j0, w_j1), and b_j = logit(a_j) − w_j0·1 − w_j1·0.5 makes z_j = logit(a_j) exactly in float64.
    /// </summary>
    private static readonly double[,] Weights = { { 0.5, -1.0 }, { 0.25, 0.75 }, { -0.5, 2.0 } };

    [Fact]
    public void Deltas_SigmoidOutputLayerWithMse_EqualHandComputedValues()
    {
        // Arrange
        var (backpropagator, parameters) = CreateExample();
        var gradientSums = new float[parameters.Length];

        // Act
        backpropagator.ComputeGradientSums(parameters, LossKind.MeanSquaredError, PreviousActivations, Targets, 1, gradientSums);
        var deltas = backpropagator.Deltas(0, 1).ToArray();

        // Assert
        Assert.Equal(3, deltas.Length);
        Assert.Equal(0.063, deltas[0], Tolerance);
        Assert.Equal(-0.125, deltas[1], Tolerance);
        Assert.Equal(0.032, deltas[2], Tolerance);
    }

    [Fact]
    public void Activations_SigmoidOutputLayer_EqualChosenOutputs()
    {
        // Arrange
        var (backpropagator, parameters) = CreateExample();

        // Act
        backpropagator.ComputeGradientSums(parameters, LossKind.MeanSquaredError, PreviousActivations, Targets, 1, new float[parameters.Length]);
        var activations = backpropagator.Activations(0, 1).ToArray();

        // Assert
        Assert.Equal(3, activations.Length);
        Assert.Equal(0.3, activations[0], Tolerance);
        Assert.Equal(0.5, activations[1], Tolerance);
        Assert.Equal(0.2, activations[2], Tolerance);
    }

    [Fact]
    public void ComputeGradientSums_SigmoidOutputLayerWithMse_EqualsDeltaTimesPreviousActivation()
    {
        // Arrange
        var (backpropagator, parameters) = CreateExample();
        var gradientSums = new float[parameters.Length];

        // Act
        var loss = backpropagator.ComputeGradientSums(parameters, LossKind.MeanSquaredError, PreviousActivations, Targets, 1, gradientSums);

        // Assert: W row-major [3 × 2] (∂L/∂W_ji = δ_j a_i), then b
        double[] expected =
        [
            0.063, 0.0315,    // δ0·1, δ0·0.5
            -0.125, -0.0625,  // δ1·1, δ1·0.5
            0.032, 0.016,     // δ2·1, δ2·0.5
            0.063, -0.125, 0.032,
        ];
        Assert.Equal(expected.Length, gradientSums.Length);
        for (var p = 0; p < expected.Length; p++)
        {
            Assert.True(Math.Abs(gradientSums[p] - expected[p]) <= Tolerance, $"parameter {p}: expected {expected[p]}, got {gradientSums[p]}");
        }

        Assert.Equal(0.19, loss, Tolerance);
    }

    [Fact]
    public void ComputeGradientSums_SameSampleTwice_DoublesGradientAndLoss()
    {
        // Arrange
        var (backpropagator, parameters) = CreateExample(maxRows: 2);
        float[] inputs = [.. PreviousActivations, .. PreviousActivations];
        float[] targets = [.. Targets, .. Targets];
        var gradientSums = new float[parameters.Length];

        // Act
        var loss = backpropagator.ComputeGradientSums(parameters, LossKind.MeanSquaredError, inputs, targets, 2, gradientSums);

        // Assert: sums, not means
        Assert.Equal(2 * 0.063, gradientSums[0], Tolerance);
        Assert.Equal(2 * 0.0315, gradientSums[1], Tolerance);
        Assert.Equal(2 * -0.125, gradientSums[7], Tolerance);
        Assert.Equal(2 * 0.19, loss, Tolerance);
    }

    private static (Backpropagator Backpropagator, float[] Parameters) CreateExample(int maxRows = 1)
    {
        var spec = NetworkSpec.Create(2, [], 3, Activation.Sigmoid, Activation.Sigmoid);
        var parameters = new float[spec.ParameterCount];
        for (var j = 0; j < 3; j++)
        {
            var logit = Math.Log(OutputActivations[j] / (1 - OutputActivations[j]));
            parameters[(2 * j) + 0] = (float)Weights[j, 0];
            parameters[(2 * j) + 1] = (float)Weights[j, 1];
            parameters[6 + j] = (float)(logit - (Weights[j, 0] * PreviousActivations[0]) - (Weights[j, 1] * PreviousActivations[1]));
        }

        return (new Backpropagator(spec, maxRows), parameters);
    }
}
