using Backprop.Core.Model;

namespace Backprop.Core.Tests.Model;

public class NetworkSpecTests
{
    [Fact]
    public void Layout_ThreeLayers_WeightsThenBiasesLayerByLayer()
    {
        var spec = NetworkSpec.Create(4, [3, 2], 1, Activation.Sigmoid, Activation.Identity);

        Assert.Equal([4, 3, 2, 1], spec.LayerSizes);
        Assert.Equal(0, spec.Layers[0].WeightOffset);
        Assert.Equal(12, spec.Layers[0].BiasOffset);
        Assert.Equal(15, spec.Layers[1].WeightOffset);
        Assert.Equal(21, spec.Layers[1].BiasOffset);
        Assert.Equal(23, spec.Layers[2].WeightOffset);
        Assert.Equal(26, spec.ParameterCount);
    }

    [Fact]
    public void Constructor_ZeroSize_ThrowsNamingTheLayer()
    {
        var error = Assert.Throws<InvalidInputException>(() => NetworkSpec.Create(4, [0], 1, Activation.Sigmoid, Activation.Sigmoid));
        Assert.Contains("layer 1 size", error.Message);
    }

    [Fact]
    public void Constructor_SoftmaxOnHiddenLayer_Throws()
    {
        var error = Assert.Throws<InvalidInputException>(() => NetworkSpec.Create(4, [3], 2, Activation.Softmax, Activation.Softmax));
        Assert.Contains("softmax", error.Message);
    }
}
