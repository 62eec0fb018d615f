using System.Text;
using System.Text.Json.Nodes;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Serialization;

namespace Backprop.Core.Tests.Serialization;

/// <summary>The optional keys of the model file: feature names, label names and the standardization.</summary>
public sealed class ModelJsonMetadataTests
{
    [Fact]
    public void WriteRead_WithMetadata_V2RoundTripsNamesAndStandardizationBitExact()
    {
        var network = ModelJsonTestData.Small();
        var metadata = new ModelMetadata(
            [.. Enumerable.Range(0, network.Spec.InputSize).Select(i => $"f{i}")],
            [.. Enumerable.Range(0, network.Spec.OutputSize).Select(k => $"class \"{k}\"")],
            new Standardization([.. Enumerable.Range(0, network.Spec.InputSize).Select(i => 0.1f * i)], [.. Enumerable.Repeat(1f / 3f, network.Spec.InputSize)]));
        using var stream = new MemoryStream();

        ModelJson.Write(new TrainedModel(network, metadata), stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        stream.Position = 0;
        var back = ModelJson.Read(stream, "model.json");

        Assert.Contains($"\"format\": \"{ModelJson.FormatNameV2}\"", text);
        Assert.Equal(metadata.FeatureNames, back.Metadata.FeatureNames);
        Assert.Equal(metadata.LabelNames, back.Metadata.LabelNames);
        Assert.Equal(metadata.Standardization!.Mean, back.Metadata.Standardization!.Mean);
        Assert.Equal(metadata.Standardization.Scale, back.Metadata.Standardization.Scale);
        ModelJsonTestData.AssertBitwiseEqual(network, back.Network);
    }

    [Fact]
    public void Read_V1File_LoadsUnchangedWithoutMetadata()
    {
        const string v1 = """
            {"format":"backprop.model.v1",
             "layers":[{"inputs":2,"outputs":1,"activation":"sigmoid","weights":[[0.5,-1]],"biases":[0.25]}]}
            """;

        var model = ModelJson.Read(new MemoryStream(Encoding.UTF8.GetBytes(v1)), "old.json");

        Assert.True(model.Metadata.IsEmpty);
        Assert.Equal([0.5f, -1f, 0.25f], model.Network.Parameters);
    }

    [Fact]
    public void Write_WithoutMetadata_StaysV1()
    {
        Assert.Contains($"\"format\": \"{ModelJson.FormatName}\"", ModelJsonTestData.ToText(ModelJsonTestData.Small()));
    }

    [Theory]
    [InlineData("features", "[\"a\"]", "features: expected 2 names (one per input: the network has 2 inputs), got 1")]
    [InlineData("labels", "[\"a\",\"a\",\"b\"]", "labels: the name 'a' appears more than once")]
    [InlineData("labels", "[1,2,3]", "labels[0]: expected a string, got 1")]
    [InlineData("standardization", "{\"mean\":[0,0],\"scale\":[1,0]}", "standardization.scale[1]: must be > 0, got 0")]
    [InlineData("standardization", "{\"mean\":[0,0]}", "standardization: missing key \"scale\"")]
    public void Read_BadMetadata_ThrowsNamingTheKey(string key, string value, string expected)
    {
        var model = ModelJsonTestData.SmallAsNode();
        model[key] = JsonNode.Parse(value);

        Assert.Equal($"{ModelJsonTestData.Source}: {expected}", ModelJsonTestData.ReadError(model));
    }
}
