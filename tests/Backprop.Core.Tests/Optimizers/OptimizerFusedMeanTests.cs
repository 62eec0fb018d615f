using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

/// <summary>Stepping from gradient sums divides inside the pass; the vector body and the scalar tail agree.</summary>
public class OptimizerFusedMeanTests
{
    public static TheoryData<OptimizerKind, bool> Kinds => new()
    {
        { OptimizerKind.Sgd, false }, { OptimizerKind.Momentum, false }, { OptimizerKind.Momentum, true }, { OptimizerKind.Adam, false },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Step_FromSums_SameBitsAsFromMeanForEveryLength(OptimizerKind kind, bool nesterov)
    {
        var settings = new OptimizerSettings(kind, 0.05f, Nesterov: nesterov, WeightDecay: 0.01f);
        for (var length = 0; length <= 70; length++)
        {
            var random = new Random(length);
            var sums = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            var mean = sums.Select(s => s / 7f).ToArray();
            var start = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble()).ToArray();
            var fromSums = (float[])start.Clone();
            var fromMean = (float[])start.Clone();
            var a = Optimizer.Create(settings, length);
            var b = Optimizer.Create(settings, length);

            for (var step = 0; step < 3; step++)
            {
                a.Step(fromSums, sums, 7, 0.05f);
                b.Step(fromMean, mean, 0.05f);
            }

            Assert.Equal(fromMean, fromSums);
        }
    }

    [Fact]
    public void Step_VectorBodyAndScalarTail_SameRuleForEqualInputs()
    {
        // 67 equal parameters with equal gradients: whichever path updates one, all must end equal.
        var parameters = Enumerable.Repeat(0.3f, 67).ToArray();
        var gradient = Enumerable.Repeat(-1.7f, 67).ToArray();
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 0.01f, WeightDecay: 0.1f), 67);

        for (var step = 0; step < 5; step++)
        {
            optimizer.Step(parameters, gradient, 0.01f);
        }

        Assert.All(parameters, p => Assert.Equal(parameters[0], p));
    }

    [Fact]
    public void Step_ZeroSampleCount_Throws()
    {
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, 0.1f), 3);

        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.Step(new float[3], new float[3], 0, 0.1f));
    }
}
