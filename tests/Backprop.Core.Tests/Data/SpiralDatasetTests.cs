using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class SpiralDatasetTests
{
    [Fact]
    public void Load_AnySeed_Has600TrainAnd300TestPointsOfThreeClasses()
    {
        var split = SpiralDataset.Load(seed: 1);

        Assert.NotNull(split.Test);
        Assert.Equal(600, split.Train.Count);
        Assert.Equal(300, split.Test.Count);
        Assert.Equal(2, split.Train.InputSize);
        Assert.Equal(3, split.Train.TargetSize);
        Assert.Equal(3, split.Test.TargetSize);
    }

    [Fact]
    public void Load_SameSeed_GivesIdenticalData()
    {
        var first = SpiralDataset.Load(seed: 42);
        var second = SpiralDataset.Load(seed: 42);

        Assert.Equal(first.Train.Features, second.Train.Features);
        Assert.Equal(first.Train.Targets, second.Train.Targets);
        Assert.Equal(first.Test!.Features, second.Test!.Features);
    }

    [Fact]
    public void Load_DifferentSeeds_GiveDifferentData()
    {
        var first = SpiralDataset.Load(seed: 1);
        var second = SpiralDataset.Load(seed: 2);

        Assert.NotEqual(first.Train.Features, second.Train.Features);
        Assert.NotEqual(first.Test!.Features, second.Test!.Features);
    }

    [Fact]
    public void Load_AnySeed_TestPointsDifferFromTrainPoints()
    {
        var split = SpiralDataset.Load(seed: 7);

        var train = Points(split.Train).ToHashSet();
        Assert.DoesNotContain(Points(split.Test!), train.Contains);
    }

    [Fact]
    public void Generate_AnySeed_ClassesBalancedAndTargetsOneHotOfLabels()
    {
        var dataset = SpiralDataset.Generate(90, arms: 3, seed: 3, "s");

        Assert.NotNull(dataset.Labels);
        Assert.Equal([30, 30, 30], dataset.Labels.CountBy(label => label).OrderBy(pair => pair.Key).Select(pair => pair.Value));
        for (var i = 0; i < dataset.Count; i++)
        {
            Assert.Equal(1f, dataset.TargetsOf(i)[dataset.Labels[i]]);
            Assert.Equal(1f, dataset.TargetsOf(i).ToArray().Sum());
        }
    }

    [Fact]
    public void Generate_AnySeed_PointsStayNearTheUnitDisc()
    {
        var dataset = SpiralDataset.Generate(600, arms: 3, seed: 5, "s");

        for (var i = 0; i < dataset.Count; i++)
        {
            var p = dataset.FeaturesOf(i);
            Assert.InRange(MathF.Sqrt((p[0] * p[0]) + (p[1] * p[1])), 0f, 1.2f);
        }
    }

    [Fact]
    public void Load_AnySeed_TestPointsFollowTheTrainingArms()
    {
        // Learnable: the nearest training point of almost every test point is on the same arm.
        var split = SpiralDataset.Load(seed: 11);
        var train = split.Train;
        var test = split.Test!;

        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var nearest = Enumerable.Range(0, train.Count).MinBy(j => SquaredDistance(test.FeaturesOf(i), train.FeaturesOf(j)));
            correct += train.Labels![nearest] == test.Labels![i] ? 1 : 0;
        }

        Assert.True(correct >= 0.95 * test.Count, $"{correct} of {test.Count} test points nearest to their own arm");
    }

    [Fact]
    public void Load_AnySeed_EachArmWindsAroundTheOrigin()
    {
        // A full turn per arm: every class reaches into all four directions, so no axis split separates them.
        var train = SpiralDataset.Load(seed: 3).Train;

        for (var k = 0; k < 3; k++)
        {
            var points = Enumerable.Range(0, train.Count).Where(i => train.Labels![i] == k).Select(i => train.FeaturesOf(i).ToArray()).ToList();
            Assert.Contains(points, p => p[0] > 0.3f);
            Assert.Contains(points, p => p[0] < -0.3f);
            Assert.Contains(points, p => p[1] > 0.3f);
            Assert.Contains(points, p => p[1] < -0.3f);
        }
    }

    private static IEnumerable<(float, float)> Points(Dataset dataset) =>
        Enumerable.Range(0, dataset.Count).Select(i => (dataset.FeaturesOf(i)[0], dataset.FeaturesOf(i)[1]));

    private static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        ((a[0] - b[0]) * (a[0] - b[0])) + ((a[1] - b[1]) * (a[1] - b[1]));
}
