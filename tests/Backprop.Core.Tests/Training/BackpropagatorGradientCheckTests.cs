using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Tests.Reference;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>
/// Float32 <see cref="Backpropagator"/> against float64 finite differences of the reference loss.
/// </summary>
/// <remarks>
/// Tolerance: |analytic − numeric| ≤ 1e-4 · max(1, |numeric|). On these small networks every value is
/// a short sum (≤ 5 terms per layer) of O(1) products, so float32 (unit roundoff 6e-8) stays within
/// ~1e-6 of the exact value over three layers; the float64 central differences (h = 1e-6) are good to
/// ~1e-9. That leaves a 100× margin for rounding, while any formula slip (a wrong σ', a transposed W,
/// a missing softmax Jacobian term, a dropped row) moves a gradient by 1e-2 or more.
/// </remarks>
public class BackpropagatorGradientCheckTests
{
    private const double FiniteDifferenceStep = 1e-6;
    private const double GradientTolerance = 1e-4;
    private const double LossTolerance = 1e-5;

    [Theory]
    [MemberData(nameof(NetworkCases.EveryValidCombination), MemberType = typeof(NetworkCases))]
    public void ComputeGradientSums_EveryActivationAndLoss_MatchesFiniteDifferencesForEveryParameter(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, NetworkCases.SweepRows, NetworkCases.SeedFor(hidden, output, loss));
        var numeric = problem.NumericGradientSums(FiniteDifferenceStep);
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);
        var gradientSums = new float[problem.Spec.ParameterCount];

        // Act
        backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, problem.Rows, gradientSums);

        // Assert
        AssertGradientsClose(numeric, gradientSums, problem.Spec, $"{problem.Spec} {loss.ToName()}");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.EveryValidCombination), MemberType = typeof(NetworkCases))]
    public void ComputeGradientSums_EveryActivationAndLoss_ReturnsReferenceLossSum(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, NetworkCases.SweepRows, NetworkCases.SeedFor(hidden, output, loss));
        var expected = problem.Reference.LossSum(problem.ParametersF64, loss, problem.InputsF64, problem.TargetsF64, problem.Rows);
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);

        // Act
        var lossSum = backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, problem.Rows, new float[problem.Spec.ParameterCount]);

        // Assert
        ApproxAssert.Close(expected, lossSum, LossTolerance * Math.Max(1, Math.Abs(expected)), $"{problem.Spec} {loss.ToName()} loss sum");
    }

    [Theory]
    [MemberData(nameof(NetworkCases.EveryValidCombination), MemberType = typeof(NetworkCases))]
    public void DeltasAndActivations_EveryActivationAndLoss_MatchReferenceForEveryLayer(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, NetworkCases.SweepRows, NetworkCases.SeedFor(hidden, output, loss));
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);
        backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, problem.Rows, new float[problem.Spec.ParameterCount]);

        for (var l = 0; l < problem.Spec.Layers.Count; l++)
        {
            var outputs = problem.Spec.Layers[l].Outputs;
            var layer = l;

            // Act
            var deltas = RandomProblem.Widen(backpropagator.Deltas(l, problem.Rows));
            var activations = RandomProblem.Widen(backpropagator.Activations(l, problem.Rows));

            // Assert
            ApproxAssert.AllClose(problem.ReferenceDeltas(l), deltas, d => GradientTolerance * Math.Max(1, Math.Abs(d)),
                k => $"row {k / outputs} δ[{k % outputs}]", $"{problem.Spec} {loss.ToName()} layer {layer} deltas");
            ApproxAssert.AllClose(problem.ReferenceActivations(l), activations, a => LossTolerance * Math.Max(1, Math.Abs(a)),
                k => $"row {k / outputs} a[{k % outputs}]", $"{problem.Spec} {loss.ToName()} layer {layer} activations");
        }
    }

    [Theory]
    [InlineData(Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy)]
    [InlineData(Activation.Tanh, Activation.Sigmoid, LossKind.BinaryCrossEntropy)]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid, LossKind.BinaryCrossEntropy)]
    public void ComputeGradientSums_SoftTargets_MatchesFiniteDifferences(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange: probability-vector targets for cross-entropy, fractional ones for binary cross-entropy
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, NetworkCases.SweepRows, 77, TargetKind.Soft);
        var numeric = problem.NumericGradientSums(FiniteDifferenceStep);
        var expectedLoss = problem.Reference.LossSum(problem.ParametersF64, loss, problem.InputsF64, problem.TargetsF64, problem.Rows);
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);
        var gradientSums = new float[problem.Spec.ParameterCount];

        // Act
        var lossSum = backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, problem.Rows, gradientSums);

        // Assert
        AssertGradientsClose(numeric, gradientSums, problem.Spec, $"{problem.Spec} {loss.ToName()} soft targets");
        ApproxAssert.Close(expectedLoss, lossSum, LossTolerance * Math.Max(1, Math.Abs(expectedLoss)), "loss sum");
    }

    /// <summary>
    /// Layers wider than a 512-bit vector and a batch that is no multiple of any vector width, so
    /// every SIMD main loop and tail runs; compared with the reference's analytic gradients (which
    /// the finite-difference tests above and in <see cref="ReferenceNetworkTests"/> vouch for).
    /// </summary>
    [Theory]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.MeanSquaredError)]
    [InlineData(Activation.Tanh, Activation.Sigmoid, LossKind.BinaryCrossEntropy)]
    [InlineData(Activation.Sigmoid, Activation.Identity, LossKind.MeanSquaredError)]
    public void ComputeGradientSums_WideLayersAndOddBatch_MatchesReference(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange: 1e-3 from the ReLU kink is plenty when no finite-difference step is taken
        var problem = RandomProblem.Create([37, 33, 17, 10], hidden, output, loss, rows: 19, seed: 5, reluKinkMargin: 1e-3);
        var (expected, expectedLoss) = problem.ReferenceGradientSums();
        var backpropagator = new Backpropagator(problem.Spec, maxRows: 32);
        var gradientSums = new float[problem.Spec.ParameterCount];

        // Act
        var lossSum = backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, problem.Rows, gradientSums);

        // Assert
        ApproxAssert.AllClose(expected, RandomProblem.Widen(gradientSums), e => GradientTolerance * Math.Max(1, Math.Abs(e)),
            p => NetworkCases.DescribeParameter(problem.Spec, p), $"{problem.Spec} {loss.ToName()} gradient sums");
        ApproxAssert.Close(expectedLoss, lossSum, LossTolerance * Math.Max(1, Math.Abs(expectedLoss)), "loss sum");
    }

    /// <summary>
    /// More inputs and more rows than one 256-deep block of the blocked GEMM, so the forward product
    /// (depth = inputs) and the weight-gradient product (depth = rows) both run over several k blocks.
    /// </summary>
    /// <remarks>
    /// Sums of ~300 terms: float32 rounding is bounded by depth × 6e-8 of Σ|terms| (≈ 2e-5), so the
    /// tolerance is 1e-4 of each sum's own Σ_rows |term| (from the reference) plus 1e-6; losing a block
    /// or a row costs a visible fraction of Σ|terms|.
    /// </remarks>
    [Theory]
    [InlineData(Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy)]
    [InlineData(Activation.Relu, Activation.Identity, LossKind.MeanSquaredError)]
    public void ComputeGradientSums_DepthBeyondOneGemmBlock_MatchesReference(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange: weights scaled by 1/√inputs keep z of order 1 over 300 inputs
        const int inputs = 300;
        const int rows = 270;
        var problem = RandomProblem.Create([inputs, 9, 4], hidden, output, loss, rows, seed: 41, reluKinkMargin: 1e-4, weightScale: 1 / Math.Sqrt(inputs));
        var (expected, expectedLoss) = problem.ReferenceGradientSums();
        var magnitudes = problem.ReferenceGradientMagnitudes();
        var backpropagator = new Backpropagator(problem.Spec, rows);
        var gradientSums = new float[problem.Spec.ParameterCount];

        // Act
        var lossSum = backpropagator.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, rows, gradientSums);

        // Assert
        ApproxAssert.AllCloseAt(expected, RandomProblem.Widen(gradientSums), p => (GradientTolerance * magnitudes[p]) + 1e-6,
            p => NetworkCases.DescribeParameter(problem.Spec, p), $"{problem.Spec} {loss.ToName()} gradient sums over {rows} rows");
        ApproxAssert.Close(expectedLoss, lossSum, LossTolerance * Math.Max(1, Math.Abs(expectedLoss)), "loss sum");
    }

    private static void AssertGradientsClose(double[] numeric, float[] analytic, NetworkSpec spec, string what) =>
        ApproxAssert.AllClose(numeric, RandomProblem.Widen(analytic), n => GradientTolerance * Math.Max(1, Math.Abs(n)),
            p => NetworkCases.DescribeParameter(spec, p), $"{what} gradient sums vs finite differences");
}
