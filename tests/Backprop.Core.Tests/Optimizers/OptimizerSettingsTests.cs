using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

public class OptimizerSettingsTests
{
    [Fact]
    public void Defaults_AsDocumented()
    {
        var settings = new OptimizerSettings(OptimizerKind.Adam, 0.001f);

        Assert.Equal(0.9f, settings.Momentum);
        Assert.False(settings.Nesterov);
        Assert.Equal(0.9f, settings.Beta1);
        Assert.Equal(0.999f, settings.Beta2);
        Assert.Equal(1e-8f, settings.Epsilon);
        Assert.Equal(0f, settings.WeightDecay);
        settings.Validate();
    }

    [Theory]
    [InlineData("--lr", 0f)]
    [InlineData("--lr", -0.1f)]
    [InlineData("--lr", float.NaN)]
    [InlineData("--lr", float.PositiveInfinity)]
    [InlineData("--momentum", 1f)]
    [InlineData("--momentum", -0.1f)]
    [InlineData("--momentum", float.NaN)]
    [InlineData("--beta1", 1f)]
    [InlineData("--beta1", -0.5f)]
    [InlineData("--beta2", 1f)]
    [InlineData("--beta2", 1.5f)]
    [InlineData("--epsilon", 0f)]
    [InlineData("--epsilon", float.NegativeInfinity)]
    [InlineData("--weight-decay", -1e-4f)]
    [InlineData("--weight-decay", float.NaN)]
    [InlineData("--weight-decay", float.PositiveInfinity)]
    public void Validate_BadValue_ThrowsNamingTheFlag(string flag, float value)
    {
        var settings = WithFlag(flag, value);

        var error = Assert.Throws<InvalidInputException>(settings.Validate);

        Assert.StartsWith(flag + ": ", error.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData("--momentum", 0f)]
    [InlineData("--beta1", 0f)]
    [InlineData("--beta2", 0.9999f)]
    [InlineData("--weight-decay", 0f)]
    [InlineData("--lr", 10f)]
    public void Validate_BoundaryValueInRange_Accepted(string flag, float value)
    {
        WithFlag(flag, value).Validate();
    }

    [Fact]
    public void Create_InvalidSettings_ThrowsBeforeBuilding()
    {
        var error = Assert.Throws<InvalidInputException>(
            () => Optimizer.Create(new OptimizerSettings(OptimizerKind.Sgd, -1f), parameterCount: 4));

        Assert.StartsWith("--lr: ", error.Message);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, typeof(SgdOptimizer))]
    [InlineData(OptimizerKind.Momentum, typeof(MomentumOptimizer))]
    [InlineData(OptimizerKind.Adam, typeof(AdamOptimizer))]
    public void Create_EachKind_BuildsThatOptimizer(OptimizerKind kind, Type expected)
    {
        Assert.IsType(expected, Optimizer.Create(new OptimizerSettings(kind, 0.1f), parameterCount: 4));
    }

    private static OptimizerSettings WithFlag(string flag, float value)
    {
        var valid = new OptimizerSettings(OptimizerKind.Momentum, 0.1f);
        return flag switch
        {
            "--lr" => valid with { LearningRate = value },
            "--momentum" => valid with { Momentum = value },
            "--beta1" => valid with { Beta1 = value },
            "--beta2" => valid with { Beta2 = value },
            "--epsilon" => valid with { Epsilon = value },
            "--weight-decay" => valid with { WeightDecay = value },
            _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "no such flag"),
        };
    }
}
