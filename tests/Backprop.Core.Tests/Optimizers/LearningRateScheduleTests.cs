using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(1_000_000L)]
    public void RateAt_Constant_AlwaysTheBaseRate(long step)
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Constant, 0.03f, StepsPerEpoch: 10, TotalSteps: 1000);

        Assert.Equal(0.03f, schedule.RateAt(step));
    }

    [Theory]
    [InlineData(0L, 0.8f)] // epoch 0
    [InlineData(29L, 0.8f)] // last step of epoch 2
    [InlineData(30L, 0.4f)] // first step of epoch 3: first decay
    [InlineData(59L, 0.4f)]
    [InlineData(60L, 0.2f)] // epoch 6
    [InlineData(90L, 0.1f)] // epoch 9
    [InlineData(300L, 0.00078125f)] // epoch 30: 0.8 / 2¹⁰
    public void RateAt_StepDecay_HalvesAtEveryThirdEpochBoundary(long step, float expected)
    {
        var schedule = new LearningRateSchedule(ScheduleKind.StepDecay, 0.8f, StepsPerEpoch: 10, TotalSteps: 1000, DecayEveryEpochs: 3, DecayFactor: 0.5f);

        Assert.Equal(expected, schedule.RateAt(step));
    }

    [Theory]
    [InlineData(99L, 0)]
    [InlineData(100L, 1)]
    [InlineData(250L, 2)]
    public void RateAt_StepDecayByTenth_BaseTimesPowerOfTheFactor(long step, int decays)
    {
        var schedule = new LearningRateSchedule(ScheduleKind.StepDecay, 0.5f, StepsPerEpoch: 50, TotalSteps: 1000, DecayEveryEpochs: 2, DecayFactor: 0.1f);

        var expected = 0.5 * Math.Pow(0.1, decays);
        Assert.Equal(expected, schedule.RateAt(step), expected * 1e-6);
    }

    [Fact]
    public void RateAt_StepDecayWithFactorOne_NeverChanges()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.StepDecay, 0.25f, StepsPerEpoch: 3, TotalSteps: 100, DecayEveryEpochs: 1, DecayFactor: 1f);

        Assert.Equal(0.25f, schedule.RateAt(99));
    }

    [Theory]
    [InlineData(0L, 1.0)]
    [InlineData(25L, 0.85355339059327373)] // ½(1 + cos π/4)
    [InlineData(50L, 0.5)]
    [InlineData(75L, 0.14644660940672627)] // ½(1 + cos 3π/4)
    [InlineData(100L, 0.0)]
    [InlineData(150L, 0.0)] // past the end it stays at 0
    public void RateAt_Cosine_FromBaseThroughHalfToZero(long step, double fractionOfBase)
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, 0.2f, StepsPerEpoch: 10, TotalSteps: 100);

        Assert.Equal(0.2 * fractionOfBase, schedule.RateAt(step), 1e-7);
    }

    [Fact]
    public void RateAt_Cosine_NeverIncreases()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, 1f, StepsPerEpoch: 7, TotalSteps: 77);

        var rates = Enumerable.Range(0, 80).Select(step => schedule.RateAt(step)).ToArray();

        Assert.All(rates.Zip(rates.Skip(1)), pair => Assert.True(pair.Second <= pair.First, $"{pair.First} then {pair.Second}"));
    }

    [Theory]
    [InlineData("constant", ScheduleKind.Constant)]
    [InlineData("step", ScheduleKind.StepDecay)]
    [InlineData("Cosine", ScheduleKind.Cosine)]
    public void ParseKind_KnownName_ReturnsKind(string name, ScheduleKind expected)
    {
        Assert.Equal(expected, LearningRateSchedule.ParseKind(name));
    }

    [Fact]
    public void ParseKind_UnknownName_ThrowsNamingTheFlagAndTheChoices()
    {
        var error = Assert.Throws<InvalidInputException>(() => LearningRateSchedule.ParseKind("linear"));

        Assert.Equal("--schedule: unknown schedule 'linear' (use constant, step or cosine)", error.Message);
    }
}
