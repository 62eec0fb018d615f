using System.Text;
using Backprop.Core.Model;
using Backprop.Core.Serialization;

namespace Backprop.Core.Tests.Serialization;

public class ModelJsonRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void WriteRead_RandomBitPatterns_BitExact(int seed)
    {
        var network = ModelJsonTestData.RandomBits(seed);

        var read = ModelJsonTestData.Read(ModelJsonTestData.ToBytes(network));

        ModelJsonTestData.AssertBitwiseEqual(network, read);
        Assert.Equal(
            network.Spec.Layers.Select(l => l.Activation),
            read.Spec.Layers.Select(l => l.Activation));
    }

    [Fact]
    public void WriteRead_EdgeValues_BitExact()
    {
        float[] edges =
        [
            1e-38f, -0f, 0f, float.Epsilon, -float.Epsilon, 0.1f, -0.1f, 1f / 3, float.MaxValue, float.MinValue,
            1.17549435E-38f, 1.1754942E-38f, 16777216f, 16777218f, 123456.789f, -2.5e-7f, 3.4028233E+38f,
        ];
        var spec = NetworkSpec.Create(edges.Length, [], 1, Activation.Identity, Activation.Identity);
        var network = new Network(spec, [.. edges, -0f]);

        var read = ModelJsonTestData.Read(ModelJsonTestData.ToBytes(network));

        ModelJsonTestData.AssertBitwiseEqual(network, read);
    }

    [Fact]
    public void SaveLoad_InTemporaryDirectory_BitExactAndNoTemporaryFilesLeft()
    {
        var directory = Directory.CreateTempSubdirectory("modeljson-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.json");
            var network = ModelJsonTestData.RandomBits(seed: 7);

            ModelJson.Save(new TrainedModel(ModelJsonTestData.Small(), ModelMetadata.None), path);
            ModelJson.Save(new TrainedModel(network, ModelMetadata.None), path);
            var loaded = ModelJson.Load(path).Network;

            ModelJsonTestData.AssertBitwiseEqual(network, loaded);
            Assert.Equal(["model.json"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void Write_NonFiniteParameter_ThrowsNamingItsPositionAndWritesNothing(float bad, string shown)
    {
        var network = ModelJsonTestData.Small();
        network.Weights(1)[1 * 4 + 2] = bad;
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => ModelJson.Write(new TrainedModel(network, ModelMetadata.None), stream));

        Assert.Contains($"layers[1].weights[1][2] is {shown}", error.Message);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void Write_NonFiniteBias_ThrowsNamingTheBias()
    {
        var network = ModelJsonTestData.Small();
        network.Biases(0)[3] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => ModelJson.Write(new TrainedModel(network, ModelMetadata.None), Stream.Null));

        Assert.Contains("layers[0].biases[3] is NaN", error.Message);
    }

    [Fact]
    public void Save_NonFiniteParameter_ThrowsAndKeepsTheExistingFile()
    {
        var directory = Directory.CreateTempSubdirectory("modeljson-");
        try
        {
            var path = Path.Combine(directory.FullName, "model.json");
            File.WriteAllText(path, "previous");
            var network = ModelJsonTestData.Small();
            network.Parameters[0] = float.PositiveInfinity;

            Assert.Throws<ArgumentException>(() => ModelJson.Save(new TrainedModel(network, ModelMetadata.None), path));

            Assert.Equal("previous", File.ReadAllText(path));
            Assert.Single(directory.GetFiles());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Read_ActivationInCapitals_Accepted()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)["activation"] = "Sigmoid";

        var read = ModelJsonTestData.Read(model.ToJsonString());

        Assert.Equal(Activation.Sigmoid, read.Spec.Layers[0].Activation);
    }

    [Fact]
    public void Read_Utf8ByteOrderMark_Accepted()
    {
        var network = ModelJsonTestData.Small();
        byte[] json = [.. Encoding.UTF8.GetPreamble(), .. ModelJsonTestData.ToBytes(network)];

        ModelJsonTestData.AssertBitwiseEqual(network, ModelJsonTestData.Read(json));
    }
}
