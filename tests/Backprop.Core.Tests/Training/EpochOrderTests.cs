using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class EpochOrderTests
{
    [Fact]
    public void For_Shuffled_IsAPermutation()
    {
        var order = EpochOrder.For(seed: 3, epoch: 2, count: 1000, shuffle: true);

        Assert.Equal(Enumerable.Range(0, 1000), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), order);
    }

    [Fact]
    public void For_SameSeedAndEpoch_SameOrder()
    {
        Assert.Equal(EpochOrder.For(7, 4, 500, true), EpochOrder.For(7, 4, 500, true));
    }

    [Fact]
    public void For_OtherEpochOrSeed_OtherOrder()
    {
        var order = EpochOrder.For(7, 4, 500, true);

        Assert.NotEqual(order, EpochOrder.For(7, 5, 500, true));
        Assert.NotEqual(order, EpochOrder.For(8, 4, 500, true));
    }

    [Fact]
    public void For_NoShuffle_IsFileOrder()
    {
        Assert.Equal(Enumerable.Range(0, 10), EpochOrder.For(7, 4, 10, false));
    }
}
