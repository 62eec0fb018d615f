using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public sealed class EarlyStoppingTests
{
    [Fact]
    public void Observe_LossRisesForPatienceEpochs_StopsAndKeepsTheBestEpoch()
    {
        var stopping = new EarlyStopping(patience: 2, parameterCount: 1);

        var reports = new[] { 0.9, 0.5, 0.6, 0.7 }.Select((loss, i) => stopping.Observe(i + 1, loss, [i + 1])).ToList();

        Assert.Equal([false, false, false, true], reports.Select(r => r.Stops));
        Assert.All(reports.Skip(1), r => Assert.Equal(2, r.BestEpoch));
        Assert.Equal(0.5, stopping.BestLoss);
        Assert.Equal([2f], stopping.BestParameters.ToArray());
    }

    [Fact]
    public void Observe_LowerLossWithinPatience_StartsTheCountAgain()
    {
        var stopping = new EarlyStopping(patience: 2, parameterCount: 1);

        var stops = new[] { 0.9, 1.0, 0.8, 1.0, 1.0 }.Select((loss, i) => stopping.Observe(i + 1, loss, [i + 1]).Stops).ToList();

        Assert.Equal([false, false, false, false, true], stops);
        Assert.Equal(3, stopping.BestEpoch);
    }

    [Fact]
    public void Observe_EqualLoss_IsNotBetter()
    {
        var stopping = new EarlyStopping(patience: 1, parameterCount: 1);
        stopping.Observe(1, 0.5, [1]);

        var report = stopping.Observe(2, 0.5, [2]);

        Assert.True(report.Stops);
        Assert.Equal(1, report.BestEpoch);
    }

    [Fact]
    public void CopyBestTo_AfterNaNLossesOnly_LeavesTheWeights()
    {
        var stopping = new EarlyStopping(patience: 1, parameterCount: 2);
        var report = stopping.Observe(1, double.NaN, [1, 2]);
        float[] weights = [3, 4];

        stopping.CopyBestTo(weights);

        Assert.True(report.Stops);
        Assert.Equal(0, report.BestEpoch);
        Assert.Equal([3f, 4f], weights);
    }

    [Fact]
    public void CopyBestTo_AfterABestEpoch_CopiesItsWeights()
    {
        var stopping = new EarlyStopping(patience: 3, parameterCount: 2);
        stopping.Observe(1, 0.4, [1, 2]);
        stopping.Observe(2, 0.6, [5, 6]);
        float[] weights = [5, 6];

        stopping.CopyBestTo(weights);

        Assert.Equal([1f, 2f], weights);
    }

    [Fact]
    public void Restore_ThenObserve_ContinuesAsTheUninterruptedRun()
    {
        var uninterrupted = new EarlyStopping(patience: 2, parameterCount: 1);
        uninterrupted.Observe(1, 0.5, [1]);
        var restored = new EarlyStopping(patience: 2, parameterCount: 1);
        restored.Restore(uninterrupted.BestEpoch, uninterrupted.BestLoss, uninterrupted.BestParameters);

        Assert.Equal(uninterrupted.Observe(2, 0.7, [2]), restored.Observe(2, 0.7, [2]));
        Assert.Equal(uninterrupted.Observe(3, 0.7, [3]), restored.Observe(3, 0.7, [3]));
        Assert.Equal(uninterrupted.BestParameters.ToArray(), restored.BestParameters.ToArray());
    }

    [Fact]
    public void AfterEpoch_RunGoesOn_LeavesTheWeights()
    {
        var stopping = new EarlyStopping(patience: 2, parameterCount: 1);
        stopping.AfterEpoch(1, 0.4, new float[] { 1 }, lastEpoch: false);
        float[] weights = [2];

        var report = stopping.AfterEpoch(2, 0.6, weights, lastEpoch: false);

        Assert.False(report.Stops);
        Assert.Equal([2f], weights);
    }

    [Fact]
    public void AfterEpoch_LastEpochNotTheBest_PutsTheBestWeightsBack()
    {
        var stopping = new EarlyStopping(patience: 5, parameterCount: 1);
        stopping.AfterEpoch(1, 0.4, new float[] { 1 }, lastEpoch: false);
        float[] weights = [2];

        var report = stopping.AfterEpoch(2, 0.6, weights, lastEpoch: true);

        Assert.False(report.Stops);
        Assert.Equal([1f], weights);
    }

    [Fact]
    public void Constructor_PatienceZero_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(0, 1));
}
