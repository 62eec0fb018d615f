using Backprop.Core.Serialization;

namespace Backprop.Core.Tests.Serialization;

public class ModelJsonEnsureMatchesTests
{
    [Fact]
    public void EnsureMatches_SameSizes_DoesNotThrow()
    {
        ModelJson.EnsureMatches(ModelJsonTestData.Small(), inputSize: 2, outputSize: 3, "model.json");
    }

    [Fact]
    public void EnsureMatches_InputSizeDiffers_ThrowsNamingLayerZeroInputs()
    {
        var error = Assert.Throws<InvalidInputException>(
            () => ModelJson.EnsureMatches(ModelJsonTestData.Small(), inputSize: 784, outputSize: 3, "model.json"));

        Assert.Equal("model.json: layers[0].inputs: the model takes 2 inputs but the data has 784 features", error.Message);
    }

    [Fact]
    public void EnsureMatches_OutputSizeDiffers_ThrowsNamingLastLayerOutputs()
    {
        var error = Assert.Throws<InvalidInputException>(
            () => ModelJson.EnsureMatches(ModelJsonTestData.Small(), inputSize: 2, outputSize: 10, "model.json"));

        Assert.Equal("model.json: layers[1].outputs: the model has 3 outputs but the data has 10 target values", error.Message);
    }
}
