using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class XorDatasetTests
{
    [Fact]
    public void Load_Train_ClassIsExclusiveOrOfInputs()
    {
        var train = XorDataset.Load().Train;

        Assert.Equal(4, train.Count);
        Assert.Equal(2, train.InputSize);
        Assert.Equal(2, train.TargetSize);
        Assert.NotNull(train.Labels);
        for (var i = 0; i < train.Count; i++)
        {
            var x = train.FeaturesOf(i);
            var expected = (x[0] == 1f) ^ (x[1] == 1f) ? 1 : 0;
            Assert.Equal(expected, train.Labels[i]);
            Assert.Equal(1f, train.TargetsOf(i)[expected]);
            Assert.Equal(0f, train.TargetsOf(i)[1 - expected]);
        }

        Assert.Equal(4, Enumerable.Range(0, 4).Select(i => (train.FeaturesOf(i)[0], train.FeaturesOf(i)[1])).Distinct().Count());
    }

    [Fact]
    public void Load_Test_IsTheSamePointsInSeparateArrays()
    {
        var split = XorDataset.Load();

        Assert.NotNull(split.Test);
        Assert.Equal(split.Train.Features, split.Test.Features);
        Assert.Equal(split.Train.Targets, split.Test.Targets);
        Assert.NotSame(split.Train.Features, split.Test.Features);
    }
}
