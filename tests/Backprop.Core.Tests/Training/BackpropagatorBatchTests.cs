using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Tests.Reference;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

/// <summary>Batches: sums over rows, forward output, partial batches, reuse, and argument guards.</summary>
public class BackpropagatorBatchTests
{
    /// <summary>
    /// Batch vs row-by-row: the same float32 products summed in another order, so the difference is
    /// a few ulps of the summed magnitudes (~1e-7 relative); 1e-5 of max(1, Σ_rows |g_r|) allows that
    /// 100× over, while mixing up rows or dropping one is off by a whole row's gradient.
    /// </summary>
    private const double SummationTolerance = 1e-5;

    /// <summary>Forward in float32 against float64: ~1e-6 at most on these O(1) values.</summary>
    private const double ForwardTolerance = 1e-5;

    /// <summary>Gradients against the reference, as in <see cref="BackpropagatorGradientCheckTests"/>.</summary>
    private const double GradientTolerance = 1e-4;

    public static IEnumerable<object[]> SomeCombinations() =>
    [
        [Activation.Relu, Activation.Softmax, LossKind.CrossEntropy],
        [Activation.Tanh, Activation.Sigmoid, LossKind.BinaryCrossEntropy],
        [Activation.Sigmoid, Activation.Softmax, LossKind.MeanSquaredError],
        [Activation.Identity, Activation.Tanh, LossKind.MeanSquaredError],
    ];

    public static IEnumerable<object[]> EveryHiddenAndOutputActivation() =>
        from hidden in NetworkCases.HiddenActivations
        from output in Enum.GetValues<Activation>()
        select new object[] { hidden, output };

    [Theory]
    [MemberData(nameof(SomeCombinations))]
    public void ComputeGradientSums_Batch_EqualsSumOfSingleRowPasses(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange
        const int rows = 6;
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, rows, seed: 31);
        var spec = problem.Spec;
        var summedRows = new double[spec.ParameterCount];
        var magnitude = new double[spec.ParameterCount];
        var summedLoss = 0.0;
        var single = new Backpropagator(spec, 1);
        var rowSums = new float[spec.ParameterCount];
        for (var r = 0; r < rows; r++)
        {
            summedLoss += single.ComputeGradientSums(problem.Parameters, loss,
                problem.Inputs.AsSpan(r * spec.InputSize, spec.InputSize), problem.Targets.AsSpan(r * spec.OutputSize, spec.OutputSize), 1, rowSums);
            for (var p = 0; p < rowSums.Length; p++)
            {
                summedRows[p] += rowSums[p];
                magnitude[p] += Math.Abs(rowSums[p]);
            }
        }

        var batch = new Backpropagator(spec, rows);
        var batchSums = new float[spec.ParameterCount];

        // Act
        var batchLoss = batch.ComputeGradientSums(problem.Parameters, loss, problem.Inputs, problem.Targets, rows, batchSums);

        // Assert
        ApproxAssert.AllCloseAt(summedRows, RandomProblem.Widen(batchSums), p => SummationTolerance * Math.Max(1, magnitude[p]),
            p => NetworkCases.DescribeParameter(spec, p), $"{spec} {loss.ToName()} batch vs sum of single rows");
        ApproxAssert.Close(summedLoss, batchLoss, SummationTolerance * Math.Max(1, Math.Abs(summedLoss)), "loss sum");
    }

    [Theory]
    [MemberData(nameof(EveryHiddenAndOutputActivation))]
    public void Forward_EveryHiddenAndOutputActivation_MatchesReferenceForward(Activation hidden, Activation output)
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, LossKind.MeanSquaredError, 5, seed: 8);
        var expected = problem.ReferenceActivations(problem.Spec.Layers.Count - 1);
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);

        // Act
        var outputs = RandomProblem.Widen(backpropagator.Forward(problem.Parameters, problem.Inputs, problem.Rows));

        // Assert
        var width = problem.Spec.OutputSize;
        ApproxAssert.AllClose(expected, outputs, e => ForwardTolerance * Math.Max(1, Math.Abs(e)), k => $"row {k / width} a[{k % width}]", $"{problem.Spec} forward");
    }

    [Fact]
    public void Forward_RowsBelowMaxRows_ReturnsThoseRowsOnly()
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 3, seed: 9);
        var expected = problem.ReferenceActivations(problem.Spec.Layers.Count - 1);
        var backpropagator = new Backpropagator(problem.Spec, maxRows: 16);

        // Act
        var outputs = RandomProblem.Widen(backpropagator.Forward(problem.Parameters, problem.Inputs, 3));

        // Assert
        Assert.Equal(3 * problem.Spec.OutputSize, outputs.Length);
        ApproxAssert.AllClose(expected, outputs, e => ForwardTolerance * Math.Max(1, Math.Abs(e)), k => $"output {k}", "forward of 3 rows with maxRows 16");
    }

    [Theory]
    [MemberData(nameof(SomeCombinations))]
    public void ComputeGradientSums_SmallerBatchAfterFullBatch_MatchesReferenceForTheSmallerBatch(Activation hidden, Activation output, LossKind loss)
    {
        // Arrange: a full batch of 8 first leaves every buffer filled; then 3 rows of another batch
        var full = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, 8, seed: 12);
        var small = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, 3, seed: 13);
        var (expected, expectedLoss) = small.ReferenceGradientSums();
        var backpropagator = new Backpropagator(full.Spec, maxRows: 8);
        var gradientSums = new float[full.Spec.ParameterCount];
        backpropagator.ComputeGradientSums(full.Parameters, loss, full.Inputs, full.Targets, 8, gradientSums);

        // Act
        var lossSum = backpropagator.ComputeGradientSums(small.Parameters, loss, small.Inputs, small.Targets, 3, gradientSums);

        // Assert
        ApproxAssert.AllClose(expected, RandomProblem.Widen(gradientSums), e => GradientTolerance * Math.Max(1, Math.Abs(e)),
            p => NetworkCases.DescribeParameter(small.Spec, p), "gradient sums of 3 rows after a batch of 8");
        ApproxAssert.Close(expectedLoss, lossSum, ForwardTolerance * Math.Max(1, Math.Abs(expectedLoss)), "loss sum of 3 rows");
        for (var l = 0; l < small.Spec.Layers.Count; l++)
        {
            Assert.Equal(3 * small.Spec.Layers[l].Outputs, backpropagator.Deltas(l, 3).Length);
            Assert.Equal(3 * small.Spec.Layers[l].Outputs, backpropagator.Activations(l, 3).Length);
        }
    }

    [Fact]
    public void ComputeGradientSums_BufferHoldsOldValues_OverwritesThem()
    {
        // Arrange
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, Activation.Sigmoid, Activation.Sigmoid, LossKind.BinaryCrossEntropy, 4, seed: 14);
        var (expected, _) = problem.ReferenceGradientSums();
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);
        var gradientSums = Enumerable.Repeat(1000f, problem.Spec.ParameterCount).ToArray();

        // Act
        backpropagator.ComputeGradientSums(problem.Parameters, problem.Loss, problem.Inputs, problem.Targets, problem.Rows, gradientSums);

        // Assert
        ApproxAssert.AllClose(expected, RandomProblem.Widen(gradientSums), e => GradientTolerance * Math.Max(1, Math.Abs(e)),
            p => NetworkCases.DescribeParameter(problem.Spec, p), "gradient sums written over 1000s");
    }

    [Theory]
    [InlineData("forward: rows > maxRows")]
    [InlineData("forward: negative rows")]
    [InlineData("forward: parameters too short")]
    [InlineData("forward: parameters too long")]
    [InlineData("forward: inputs too short")]
    [InlineData("gradients: rows > maxRows")]
    [InlineData("gradients: negative rows")]
    [InlineData("gradients: parameters too short")]
    [InlineData("gradients: parameters too long")]
    [InlineData("gradients: inputs too short")]
    [InlineData("gradients: targets too short")]
    [InlineData("gradients: gradientSums too short")]
    [InlineData("gradients: gradientSums too long")]
    public void Backpropagator_InvalidArgument_ThrowsArgumentException(string scenario)
    {
        // Arrange: everything sized for `rows` except the one thing the scenario gets wrong
        const int maxRows = 4;
        var spec = NetworkSpec.Create(3, [5, 4], 3, Activation.Tanh, Activation.Softmax);
        var backpropagator = new Backpropagator(spec, maxRows);
        var rows = scenario.EndsWith("rows > maxRows", StringComparison.Ordinal) ? maxRows + 1 : 2;
        var parameters = new float[spec.ParameterCount];
        var inputs = new float[rows * spec.InputSize];
        var targets = new float[rows * spec.OutputSize];
        targets[0] = 1;
        targets[spec.OutputSize] = 1;
        var gradientSums = new float[spec.ParameterCount];
        backpropagator.ComputeGradientSums(parameters, LossKind.CrossEntropy, inputs.AsSpan(0, 2 * spec.InputSize), targets.AsSpan(0, 2 * spec.OutputSize), 2, gradientSums);
        float[] Shorter(float[] a) => a[..^1];
        float[] Longer(float[] a) => [.. a, 0f];
        var loss = LossKind.CrossEntropy;
        Action act = scenario switch
        {
            "forward: rows > maxRows" => () => backpropagator.Forward(parameters, inputs, rows),
            "forward: negative rows" => () => backpropagator.Forward(parameters, inputs, -1),
            "forward: parameters too short" => () => backpropagator.Forward(Shorter(parameters), inputs, rows),
            "forward: parameters too long" => () => backpropagator.Forward(Longer(parameters), inputs, rows),
            "forward: inputs too short" => () => backpropagator.Forward(parameters, Shorter(inputs), rows),
            "gradients: rows > maxRows" => () => backpropagator.ComputeGradientSums(parameters, loss, inputs, targets, rows, gradientSums),
            "gradients: negative rows" => () => backpropagator.ComputeGradientSums(parameters, loss, inputs, targets, -1, gradientSums),
            "gradients: parameters too short" => () => backpropagator.ComputeGradientSums(Shorter(parameters), loss, inputs, targets, rows, gradientSums),
            "gradients: parameters too long" => () => backpropagator.ComputeGradientSums(Longer(parameters), loss, inputs, targets, rows, gradientSums),
            "gradients: inputs too short" => () => backpropagator.ComputeGradientSums(parameters, loss, Shorter(inputs), targets, rows, gradientSums),
            "gradients: targets too short" => () => backpropagator.ComputeGradientSums(parameters, loss, inputs, Shorter(targets), rows, gradientSums),
            "gradients: gradientSums too short" => () => backpropagator.ComputeGradientSums(parameters, loss, inputs, targets, rows, Shorter(gradientSums)),
            "gradients: gradientSums too long" => () => backpropagator.ComputeGradientSums(parameters, loss, inputs, targets, rows, Longer(gradientSums)),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "no such scenario"),
        };

        // Act
        var error = Record.Exception(act);

        // Assert: ArgumentException or a subclass (ArgumentOutOfRangeException) — not an IndexOutOfRange from deep inside
        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Theory]
    [InlineData("deltas", -1)]
    [InlineData("deltas", 3)]
    [InlineData("activations", -1)]
    [InlineData("activations", 3)]
    public void DeltasAndActivations_LayerOutOfRange_ThrowArgumentOutOfRangeException(string accessor, int layer)
    {
        // Arrange: a network with layers 0..2, after one valid pass
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 2, seed: 15);
        var backpropagator = new Backpropagator(problem.Spec, problem.Rows);
        backpropagator.ComputeGradientSums(problem.Parameters, problem.Loss, problem.Inputs, problem.Targets, problem.Rows, new float[problem.Spec.ParameterCount]);
        Action act = accessor == "deltas"
            ? () => backpropagator.Deltas(layer, 1)
            : () => backpropagator.Activations(layer, 1);

        // Act
        var error = Record.Exception(act);

        // Assert: a guard that names the argument (house style), not an IndexOutOfRangeException from an internal array
        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Equal("layer", outOfRange.ParamName);
    }

    [Fact]
    public void Constructor_RowsTimesALayersWidthPastTheLargestArray_ThrowsNamingMaxRows()
    {
        // Arrange: 65,536 × 40,000 is past int.MaxValue; as an int product it wrapped to a negative length
        var spec = NetworkSpec.Create(2, [40_000], 1, Activation.Tanh, Activation.Sigmoid);

        // Act
        var error = Record.Exception(() => new Backpropagator(spec, maxRows: 65_536));

        // Assert
        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(error);
        Assert.Equal("maxRows", outOfRange.ParamName);
        Assert.Contains("65536 rows of 40000 values", outOfRange.Message);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(3, 5)]
    [InlineData(1_000, 1_000)]
    public void BatchBuffer_WithinTheLargestArray_HoldsRowsTimesWidth(int rows, int width) =>
        Assert.Equal((long)rows * width, Backpropagator.BatchBuffer(rows, width).LongLength);
}
