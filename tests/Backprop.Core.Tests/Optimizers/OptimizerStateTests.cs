using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

/// <summary>Checkpoints of optimizer state: a run restored from one continues with the same bits as a run never stopped.</summary>
public class OptimizerStateTests
{
    private const int Parameters = 37;

    public static TheoryData<OptimizerKind, bool> Kinds => new()
    {
        { OptimizerKind.Sgd, false },
        { OptimizerKind.Momentum, false },
        { OptimizerKind.Momentum, true },
        { OptimizerKind.Adam, false },
    };

    private static OptimizerSettings Settings(OptimizerKind kind, bool nesterov) => new(kind, 0.05f, Nesterov: nesterov, WeightDecay: 0.01f);

    /// <summary>Seeded gradient sums of step <paramref name="step"/>.</summary>
    private static float[] Gradient(int step)
    {
        var random = new Random(step);
        return [.. Enumerable.Range(0, Parameters).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RestoreState_AfterSomeSteps_ContinuesBitForBitLikeTheUnstoppedRun(OptimizerKind kind, bool nesterov)
    {
        var unstopped = Optimizer.Create(Settings(kind, nesterov), Parameters);
        var theta = Gradient(-1);
        for (var step = 0; step < 5; step++)
        {
            unstopped.Step(theta, Gradient(step), 3, 0.1f);
        }

        var checkpoint = unstopped.CaptureState();
        var thetaAtCheckpoint = (float[])theta.Clone();
        for (var step = 5; step < 9; step++)
        {
            unstopped.Step(theta, Gradient(step), 3, 0.1f);
        }

        var resumed = Optimizer.Create(Settings(kind, nesterov), Parameters);
        resumed.RestoreState(checkpoint);
        for (var step = 5; step < 9; step++)
        {
            resumed.Step(thetaAtCheckpoint, Gradient(step), 3, 0.1f);
        }

        Assert.Equal(theta, thetaAtCheckpoint);
    }

    [Fact]
    public void CaptureState_Adam_HoldsStepCountAndCopiesOfBothMoments()
    {
        var adam = Optimizer.Create(Settings(OptimizerKind.Adam, false), Parameters);
        adam.Step(new float[Parameters], Gradient(0), 1, 0.1f);

        var state = adam.CaptureState();
        adam.Step(new float[Parameters], Gradient(1), 1, 0.1f);

        Assert.Equal(1, state.StepCount);
        Assert.Equal(2, state.Buffers.Count);
        Assert.NotEqual(adam.CaptureState().Buffers[0], state.Buffers[0]);
    }

    [Fact]
    public void RestoreState_OtherKindOfOptimizer_Throws()
    {
        var momentum = Optimizer.Create(Settings(OptimizerKind.Momentum, false), Parameters);
        var adam = Optimizer.Create(Settings(OptimizerKind.Adam, false), Parameters);

        Assert.Throws<ArgumentException>(() => adam.RestoreState(momentum.CaptureState()));
    }

    [Fact]
    public void RestoreState_OtherSize_Throws()
    {
        var small = Optimizer.Create(Settings(OptimizerKind.Adam, false), Parameters - 1);
        var adam = Optimizer.Create(Settings(OptimizerKind.Adam, false), Parameters);

        Assert.Throws<ArgumentException>(() => adam.RestoreState(small.CaptureState()));
    }
}
