using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Tests.Reference;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// Mean-gradient SGD, θ ← θ − η · (Σ_rows ∂L/∂θ) / rows, driven by <see cref="Backpropagator"/> and
/// <see cref="Optimizer"/> in float32, against the float64 reference taking the same steps.
/// </summary>
/// <remarks>
/// Tolerance per parameter: |float32 − float64| ≤ 1e-5 · max(|float64|, 0.1). Each step adds
/// ~6e-8 relative rounding of θ plus η × (gradient error ≈ 1e-7..1e-6), so five steps stay near
/// 1e-6 absolute for the O(1) parameters here; the 0.1 floor keeps parameters near zero from
/// demanding an impossible relative precision. One step moves parameters by η·g ≈ 1e-2, so a
/// wrong sign, a sum used as a mean, or a stale gradient is 1000× over the tolerance.
/// </remarks>
public class BackpropagatorSgdTests
{
    private const float LearningRate = 0.1f;
    private const int Rows = 6;
    private const double RelativeTolerance = 1e-5;
    private const double ToleranceFloor = 0.1;

    [Theory]
    [InlineData(Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 1)]
    [InlineData(Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 5)]
    [InlineData(Activation.Relu, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 1)]
    [InlineData(Activation.Relu, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 5)]
    [InlineData(Activation.Sigmoid, Activation.Identity, LossKind.MeanSquaredError, 1)]
    [InlineData(Activation.Sigmoid, Activation.Identity, LossKind.MeanSquaredError, 5)]
    public void SgdSteps_FromGivenModel_MatchReferenceSteps(Activation hidden, Activation output, LossKind loss, int steps)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, Rows, seed: 2024);
        var model = new Network(problem.Spec, (float[])problem.Parameters.Clone());
        var initial = problem.ParametersF64;
        var backpropagator = new Backpropagator(model.Spec, Rows);
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, LearningRate), model.Spec.ParameterCount);
        var expected = (double[])initial.Clone();
        var expectedLosses = new double[steps];
        var referenceSums = new double[expected.Length];
        for (var step = 0; step < steps; step++)
        {
            expectedLosses[step] = problem.Reference.GradientSums(expected, loss, problem.InputsF64, problem.TargetsF64, Rows, referenceSums);
            for (var p = 0; p < expected.Length; p++)
            {
                expected[p] -= LearningRate * (referenceSums[p] / Rows);
            }
        }

        // Act
        var losses = new double[steps];
        var gradientSums = new float[model.Spec.ParameterCount];
        var meanGradient = new float[model.Spec.ParameterCount];
        for (var step = 0; step < steps; step++)
        {
            losses[step] = backpropagator.ComputeGradientSums(model.Parameters, loss, problem.Inputs, problem.Targets, Rows, gradientSums);
            for (var p = 0; p < meanGradient.Length; p++)
            {
                meanGradient[p] = gradientSums[p] / Rows;
            }

            optimizer.Step(model.Parameters, meanGradient, LearningRate);
        }

        // Assert
        var travelled = expected.Zip(initial, (e, i) => Math.Abs(e - i)).Max();
        Assert.True(travelled > 100 * RelativeTolerance, $"the reference parameters moved only {travelled:G3}; the comparison would prove nothing");
        ApproxAssert.AllClose(expected, RandomProblem.Widen(model.Parameters), e => RelativeTolerance * Math.Max(Math.Abs(e), ToleranceFloor),
            p => NetworkCases.DescribeParameter(model.Spec, p), $"{model.Spec} {loss.ToName()} after {steps} SGD step(s)");
        ApproxAssert.AllClose(expectedLosses, losses, l => RelativeTolerance * Math.Max(Math.Abs(l), 1),
            s => $"step {s}", "loss sum before each step");
    }
}
