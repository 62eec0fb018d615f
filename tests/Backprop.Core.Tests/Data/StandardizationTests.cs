using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class StandardizationTests
{
    [Fact]
    public void Fit_PopulationMeanAndDeviation_ConstantColumnScaleOne()
    {
        var train = new Dataset("t", 2, 1, [1f, 7f, 3f, 7f, 5f, 7f], [0f, 0f, 0f]);

        var standardization = Standardization.Fit(train);
        standardization.Apply(train.Features);

        Assert.Equal([3f, 7f], standardization.Mean);
        Assert.Equal([MathF.Sqrt(8f / 3f), 1f], standardization.Scale);
        var scale = standardization.Scale[0];
        Assert.Equal([(1f - 3f) / scale, 0f, 0f, 0f, (5f - 3f) / scale, 0f], train.Features);
        Assert.All(train.Features, value => Assert.True(float.IsFinite(value)));
    }
}
