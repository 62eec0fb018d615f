using System.Numerics.Tensors;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class EvaluatorPredictTests
{
    private static Network NewNetwork() =>
        ParameterInitializer.Initialize(NetworkSpec.Create(5, [7], 3, Activation.Tanh, Activation.Softmax), seed: 4);

    private static float[] Inputs(int rows)
    {
        var random = new Random(6);
        return [.. Enumerable.Range(0, rows * 5).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(Evaluator.BatchRows)]
    [InlineData((2 * Evaluator.BatchRows) + 3)]
    public void Predict_AnyNumberOfRows_EqualsOneForwardPassOverAllRowsAndItsArgMax(int rows)
    {
        var network = NewNetwork();
        var inputs = Inputs(rows);
        var outputs = new float[rows * 3];
        var classes = new int[rows];

        Evaluator.Predict(network, inputs, rows, outputs, classes);

        // Rows are independent, so batches of BatchRows give the same bits as one pass over every row.
        using var whole = new Backpropagator(network.Spec, rows);
        var expected = whole.Forward(network.Parameters, inputs, rows).ToArray();
        Assert.Equal(expected, outputs);
        Assert.Equal(Enumerable.Range(0, rows).Select(r => TensorPrimitives.IndexOfMax(expected.AsSpan(r * 3, 3))), classes);
    }

    [Fact]
    public void Predict_InputsOfTheWrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => Evaluator.Predict(NewNetwork(), new float[9], 2, new float[6], new int[2]));

    [Fact]
    public void Predict_NoRows_IsAccepted() =>
        Evaluator.Predict(NewNetwork(), [], 0, [], []);
}
