using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class ValidationSplitTests
{
    [Fact]
    public void Split_Labelled_StratifiedSeededAndDisjoint()
    {
        // 12 samples of class 0, 4 of class 1; feature = the sample's index.
        int[] labels = [.. Enumerable.Range(0, 16).Select(i => i % 4 == 3 ? 1 : 0)];
        var data = new Dataset("d", 1, 2, [.. Enumerable.Range(0, 16).Select(i => (float)i)], OneHot(labels), labels);

        var (train, validation) = ValidationSplit.Split(data, 0.25, seed: 5);
        var (_, again) = ValidationSplit.Split(data, 0.25, seed: 5);

        Assert.Equal(3, validation.Labels!.Count(label => label == 0));
        Assert.Equal(1, validation.Labels!.Count(label => label == 1));
        Assert.Equal(12, train.Count);
        Assert.Equal(validation.Features, again.Features);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (float)i), train.Features.Concat(validation.Features).Order());
        Assert.Equal(train.Features.Order(), train.Features);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Split_FractionOutOfRange_Throws(double fraction)
    {
        var data = new Dataset("d", 1, 1, [1f, 2f], [0f, 0f]);

        var error = Assert.Throws<InvalidInputException>(() => ValidationSplit.Split(data, fraction, seed: 1));

        Assert.StartsWith("--validation-split: must be a fraction between 0 and 1", error.Message);
    }

    [Fact]
    public void Load_ValidationSplitOfDataWithATestSplit_Throws()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("xor", null, Core.Data.Tables.TableOptions.Default, standardize: false, seed: 1, validationSplit: 0.5));

        Assert.StartsWith("--validation-split: 'xor' has test data already", error.Message);
    }

    private static float[] OneHot(int[] labels) => [.. labels.SelectMany(label => label == 0 ? new[] { 1f, 0f } : [0f, 1f])];
}
