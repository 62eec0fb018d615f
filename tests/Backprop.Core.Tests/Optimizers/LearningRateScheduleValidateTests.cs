using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class LearningRateScheduleValidateTests
{
    private static readonly LearningRateSchedule Valid =
        new(ScheduleKind.StepDecay, 0.1f, StepsPerEpoch: 10, TotalSteps: 100, DecayEveryEpochs: 2, DecayFactor: 0.5f);

    [Fact]
    public void Validate_DefaultsAndTypicalValues_Accepted()
    {
        Valid.Validate();
        new LearningRateSchedule(ScheduleKind.Cosine, 0.1f, StepsPerEpoch: 1, TotalSteps: 1).Validate();
        (Valid with { DecayFactor = 1f }).Validate();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Validate_StepsPerEpochNotPositive_Throws(int steps)
    {
        var error = Assert.Throws<InvalidInputException>((Valid with { StepsPerEpoch = steps }).Validate);

        Assert.StartsWith($"schedule: steps per epoch must be > 0, got {steps}", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_TotalStepsNotPositive_Throws(int steps)
    {
        var error = Assert.Throws<InvalidInputException>((Valid with { TotalSteps = steps }).Validate);

        Assert.StartsWith($"schedule: total steps must be > 0, got {steps}", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Validate_DecayEveryEpochsNotPositive_ThrowsNamingTheFlag(int epochs)
    {
        var error = Assert.Throws<InvalidInputException>((Valid with { DecayEveryEpochs = epochs }).Validate);

        Assert.Equal($"--lr-decay-epochs: must be > 0, got {epochs}", error.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.5f)]
    [InlineData(1.0001f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Validate_DecayFactorOutsideZeroToOne_ThrowsNamingTheFlag(float factor)
    {
        var error = Assert.Throws<InvalidInputException>((Valid with { DecayFactor = factor }).Validate);

        Assert.StartsWith("--lr-decay-factor: must be in (0, 1], got ", error.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void Validate_BaseRateNotPositive_ThrowsNamingLr(float rate)
    {
        var error = Assert.Throws<InvalidInputException>((Valid with { BaseRate = rate }).Validate);

        Assert.StartsWith("--lr: ", error.Message);
    }
}
