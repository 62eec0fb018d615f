using System.Text.Json;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Serialization;

public class ModelJsonFormatTests
{
    [Fact]
    public void Write_RandomNetwork_WeightsRowJColumnIEqualsFlatBufferAtJTimesInputsPlusI()
    {
        var network = ModelJsonTestData.RandomBits(seed: 11);

        using var document = JsonDocument.Parse(ModelJsonTestData.ToBytes(network));

        var root = document.RootElement;
        Assert.Equal("backprop.model.v1", root.GetProperty("format").GetString());
        var layers = root.GetProperty("layers");
        Assert.Equal(network.Spec.Layers.Count, layers.GetArrayLength());
        for (var l = 0; l < network.Spec.Layers.Count; l++)
        {
            var spec = network.Spec.Layers[l];
            var layer = layers[l];
            Assert.Equal(spec.Inputs, layer.GetProperty("inputs").GetInt32());
            Assert.Equal(spec.Outputs, layer.GetProperty("outputs").GetInt32());
            Assert.Equal(spec.Activation.ToName(), layer.GetProperty("activation").GetString());
            var weights = layer.GetProperty("weights");
            Assert.Equal(spec.Outputs, weights.GetArrayLength());
            for (var j = 0; j < spec.Outputs; j++)
            {
                Assert.Equal(spec.Inputs, weights[j].GetArrayLength());
                for (var i = 0; i < spec.Inputs; i++)
                {
                    Assert.Equal(network.Parameters[spec.WeightOffset + (j * spec.Inputs) + i], weights[j][i].GetSingle());
                }
            }

            var biases = layer.GetProperty("biases");
            Assert.Equal(spec.Outputs, biases.GetArrayLength());
            for (var j = 0; j < spec.Outputs; j++)
            {
                Assert.Equal(network.Parameters[spec.BiasOffset + j], biases[j].GetSingle());
            }
        }
    }

    [Fact]
    public void Write_Layer_KeysInDocumentedOrderAndNoOthers()
    {
        using var document = JsonDocument.Parse(ModelJsonTestData.ToBytes(ModelJsonTestData.Small()));

        Assert.Equal(["format", "layers"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["inputs", "outputs", "activation", "weights", "biases"],
            document.RootElement.GetProperty("layers")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Write_Small_OneLinePerWeightRowAndOneForTheBiases()
    {
        var lines = ModelJsonTestData.ToText(ModelJsonTestData.Small()).Split('\n').Select(l => l.Trim()).ToArray();

        Assert.Contains("[0.5,1.5],", lines);
        Assert.Contains("[6.5,7.5]", lines);
        Assert.Contains("\"biases\": [8.5,9.5,10.5,11.5]", lines);
        Assert.Contains("[12.5,13.5,14.5,15.5],", lines);
        Assert.Contains("\"activation\": \"softmax\",", lines);
        Assert.DoesNotContain(lines, l => l.Contains('\r'));
    }

    [Fact]
    public void Write_MnistSizedLayer_StaysCompact()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(784, [256], 10, Activation.Relu, Activation.Softmax), seed: 1);

        var bytes = ModelJsonTestData.ToBytes(network);

        // Shortest round-trip floats are at most ~15 characters ("-1.2345678E-05,"); indenting every number
        // onto its own line would add about as much again.
        Assert.True(bytes.Length < 14L * network.Spec.ParameterCount, $"{bytes.Length} bytes for {network.Spec.ParameterCount} parameters");
    }

    [Fact]
    public void Read_ExtraKeysAtEveryLevel_Ignored()
    {
        var model = ModelJsonTestData.SmallAsNode();
        model["comment"] = "exported by a user's tool";
        model["training"] = new System.Text.Json.Nodes.JsonObject { ["epochs"] = 3, ["loss"] = new System.Text.Json.Nodes.JsonArray(1, 2) };
        ModelJsonTestData.Layer(model, 0)["name"] = "hidden";
        ModelJsonTestData.Layer(model, 1)["dropout"] = null;

        var read = ModelJsonTestData.Read(model.ToJsonString());

        ModelJsonTestData.AssertBitwiseEqual(ModelJsonTestData.Small(), read);
    }

    [Fact]
    public void Read_HandWrittenCompactFile_ReadsWeightsRowMajor()
    {
        const string json = """
            {"format":"backprop.model.v1","layers":[
             {"inputs":3,"outputs":2,"activation":"tanh","weights":[[1,2,3],[4,5,6]],"biases":[-1,-2.5e-3]}]}
            """;

        var network = ModelJsonTestData.Read(json);

        Assert.Equal("3-2(tanh)", network.Spec.ToString());
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, -1f, -2.5e-3f], network.Parameters);
    }
}
