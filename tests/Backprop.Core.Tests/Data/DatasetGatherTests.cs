using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class DatasetGatherTests
{
    // Three samples of 2 features and 1 target: sample i has features (10i, 10i+1) and target i.
    private static readonly Dataset Data = new("d", 2, 1, [0, 1, 10, 11, 20, 21], [0, 1, 2]);

    [Fact]
    public void Gather_IndicesInAnyOrder_CopiesThoseSamplesIntoTheFirstRows()
    {
        var features = new float[8];
        var targets = new float[4];

        Data.Gather([2, 0, 2], features, targets);

        Assert.Equal([20f, 21, 0, 1, 20, 21, 0, 0], features);
        Assert.Equal([2f, 0, 2, 0], targets);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Gather_IndexOutsideTheDataset_ThrowsNamingIt(int index)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Data.Gather([0, index], new float[4], new float[2]));

        Assert.Contains($"sample index {index} is outside 0..2", error.Message);
    }
}
