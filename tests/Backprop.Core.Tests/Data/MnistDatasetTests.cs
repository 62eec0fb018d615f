using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

/// <summary>Decodes the embedded files once for all the tests of this class.</summary>
public sealed class MnistDatasetFixture
{
    public DatasetSplit Split { get; } = MnistDataset.Load();
}

public sealed class MnistDatasetTests(MnistDatasetFixture fixture) : IClassFixture<MnistDatasetFixture>
{
    private readonly DatasetSplit _split = fixture.Split;

    [Fact]
    public void Load_Embedded_Has8000TrainAnd2000TestDigitsOf784Pixels()
    {
        Assert.NotNull(_split.Test);
        Assert.Equal(8000, _split.Train.Count);
        Assert.Equal(2000, _split.Test.Count);
        Assert.Equal(784, _split.Train.InputSize);
        Assert.Equal(784, _split.Test.InputSize);
        Assert.Equal(10, _split.Train.TargetSize);
        Assert.Equal(10, _split.Test.TargetSize);
    }

    [Fact]
    public void Load_Embedded_PixelsSpanZeroToOne()
    {
        foreach (var dataset in Both())
        {
            Assert.Equal(0f, dataset.Features.Min());
            Assert.Equal(1f, dataset.Features.Max());
        }
    }

    [Fact]
    public void Load_Embedded_EveryDigitPresentInBothSplits()
    {
        foreach (var dataset in Both())
        {
            Assert.NotNull(dataset.Labels);
            Assert.Equal(Enumerable.Range(0, 10), dataset.Labels.Distinct().Order());
        }
    }

    [Fact]
    public void Load_Embedded_TargetsAreOneHotOfLabels()
    {
        foreach (var dataset in Both())
        {
            Assert.NotNull(dataset.Labels);
            for (var i = 0; i < dataset.Count; i++)
            {
                var targets = dataset.TargetsOf(i);
                for (var k = 0; k < targets.Length; k++)
                {
                    Assert.Equal(k == dataset.Labels[i] ? 1f : 0f, targets[k]);
                }
            }
        }
    }

    [Fact]
    public void Load_Embedded_DigitsAreInkOnBlankBackground()
    {
        // Real digits: the corner pixel is background and each image has some ink, but far from all.
        foreach (var dataset in Both())
        {
            for (var i = 0; i < dataset.Count; i++)
            {
                var pixels = dataset.FeaturesOf(i);
                var ink = 0;
                foreach (var pixel in pixels)
                {
                    ink += pixel > 0.5f ? 1 : 0;
                }

                Assert.Equal(0f, pixels[0]);
                Assert.InRange(ink, 20, 400);
            }
        }
    }

    [Fact]
    public void Load_Twice_ReturnsIndependentArrays()
    {
        var again = MnistDataset.Load();

        Assert.NotSame(_split.Train.Features, again.Train.Features);
        Assert.Equal(_split.Train.Features, again.Train.Features);
    }

    private Dataset[] Both() => [_split.Train, _split.Test!];
}
