using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class BuiltInDatasetsTests
{
    [Theory]
    [InlineData("mnist", true)]
    [InlineData("xor", true)]
    [InlineData("spirals", true)]
    [InlineData("MNIST", false)]
    [InlineData("./xor", false)]
    [InlineData("", false)]
    public void IsBuiltIn_Name_OnlyExactLowerCaseNames(string name, bool expected)
    {
        Assert.Equal(expected, BuiltInDatasets.IsBuiltIn(name));
    }

    [Fact]
    public void Names_EveryName_IsBuiltInAndLoads()
    {
        foreach (var name in BuiltInDatasets.Names.Where(name => name != BuiltInDatasets.Mnist))
        {
            Assert.True(BuiltInDatasets.IsBuiltIn(name));
            Assert.NotNull(BuiltInDatasets.Load(name, seed: 1).Test);
        }
    }

    [Fact]
    public void Load_Spirals_PassesTheSeedOn()
    {
        var viaName = BuiltInDatasets.Load("spirals", seed: 9);
        var direct = SpiralDataset.Load(seed: 9);

        Assert.Equal(direct.Train.Features, viaName.Train.Features);
    }

    [Fact]
    public void Load_UnknownName_ThrowsListingTheNames()
    {
        var error = Assert.Throws<InvalidInputException>(() => BuiltInDatasets.Load("iris", seed: 1));

        Assert.Equal("'iris' is not a built-in dataset (mnist, xor, spirals)", error.Message);
    }
}
