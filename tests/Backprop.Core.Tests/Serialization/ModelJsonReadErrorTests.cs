using System.Text;
using System.Text.Json.Nodes;
using Backprop.Core.Serialization;

namespace Backprop.Core.Tests.Serialization;

public class ModelJsonReadErrorTests
{
    [Fact]
    public void Read_WeightRowOneShort_ThrowsNamingTheRow()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1)["weights"]![2]!.AsArray().RemoveAt(0);

        Assert.Equal("model.json: layers[1].weights[2]: expected 4 numbers, got 3", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_MissingWeightRow_ThrowsCountingRows()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)["weights"]!.AsArray().RemoveAt(3);

        Assert.Equal("model.json: layers[0].weights: expected 4 rows (one per output), got 3", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_ExtraBias_ThrowsCountingBiases()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1)["biases"]!.AsArray().Add(1);

        Assert.Equal("model.json: layers[1].biases: expected 3 numbers, got 4", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_UnknownActivation_ThrowsListingTheAcceptedNames()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)["activation"] = "foo";

        Assert.Equal(
            "model.json: layers[0].activation: unknown activation 'foo' (use sigmoid, tanh, relu, identity, softmax)",
            ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_ActivationWithEscapedNewline_MessageStaysOnOneLine()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)["activation"] = "re\nlu";

        Assert.Contains(@"unknown activation 're\nlu'", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_InputsDisagreeWithPreviousOutputs_ThrowsNamingBoth()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1)["inputs"] = 5;

        Assert.Equal("model.json: layers[1].inputs: 5 does not match the previous layer's outputs 4", ModelJsonTestData.ReadError(model));
    }

    [Theory]
    [InlineData("\"x\"", "\"x\"")]
    [InlineData("\"backprop.model.v3\"", "\"backprop.model.v3\"")]
    [InlineData("1", "1")]
    [InlineData("null", "null")]
    [InlineData("[]", "an array")]
    public void Read_WrongFormat_ThrowsQuotingIt(string format, string shown)
    {
        var json = ModelJsonTestData.SmallAsNode().ToJsonString().Replace("\"backprop.model.v1\"", format);

        Assert.Equal($"model.json: format: expected \"backprop.model.v1\" or \"backprop.model.v2\", got {shown}", ModelJsonTestData.ReadError(json));
    }

    [Theory]
    [InlineData("format")]
    [InlineData("layers")]
    public void Read_MissingTopLevelKey_ThrowsNamingIt(string key)
    {
        var model = ModelJsonTestData.SmallAsNode();
        model.Remove(key);

        Assert.Equal($"model.json: top level: missing key \"{key}\"", ModelJsonTestData.ReadError(model));
    }

    [Theory]
    [InlineData("inputs")]
    [InlineData("outputs")]
    [InlineData("activation")]
    [InlineData("weights")]
    [InlineData("biases")]
    public void Read_MissingLayerKey_ThrowsNamingLayerAndKey(string key)
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1).Remove(key);

        Assert.Equal($"model.json: layers[1]: missing key \"{key}\"", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_DuplicateKey_ThrowsInsteadOfPickingOne()
    {
        var json = ModelJsonTestData.SmallAsNode().ToJsonString().Replace("\"inputs\":2,", "\"inputs\":2,\"inputs\":3,");

        Assert.Equal("model.json: layers[0]: key \"inputs\" appears more than once", ModelJsonTestData.ReadError(json));
    }

    [Theory]
    [InlineData("[]", "top level: expected an object, got an array")]
    [InlineData("42", "top level: expected an object, got 42")]
    [InlineData("{\"format\":\"backprop.model.v1\",\"layers\":{}}", "layers: expected an array of layers, got an object")]
    [InlineData("{\"format\":\"backprop.model.v1\",\"layers\":[]}", "layers: expected at least one layer, got none")]
    [InlineData("{\"format\":\"backprop.model.v1\",\"layers\":[7]}", "layers[0]: expected an object, got 7")]
    public void Read_WrongStructure_ThrowsNamingThePath(string json, string expected)
    {
        Assert.Equal($"model.json: {expected}", ModelJsonTestData.ReadError(json));
    }

    [Theory]
    [InlineData("inputs", "\"2\"", "layers[0].inputs: expected a positive integer, got \"2\"")]
    [InlineData("inputs", "2.5", "layers[0].inputs: expected a positive integer, got 2.5")]
    [InlineData("inputs", "1e10", "layers[0].inputs: expected a positive integer, got 1e10")]
    [InlineData("inputs", "0", "layers[0].inputs: must be positive, got 0")]
    [InlineData("outputs", "-4", "layers[0].outputs: must be positive, got -4")]
    [InlineData("outputs", "true", "layers[0].outputs: expected a positive integer, got true")]
    [InlineData("activation", "3", "layers[0].activation: expected a string, got 3")]
    [InlineData("weights", "\"[[1]]\"", "layers[0].weights: expected an array of 4 rows, got \"[[1]]\"")]
    [InlineData("weights", "[1,2,3,4]", "layers[0].weights[0]: expected an array of 2 numbers, got 1")]
    [InlineData("weights", "[[1,2],[1,\"2\"],[1,2],[1,2]]", "layers[0].weights[1][1]: expected a number, got \"2\"")]
    [InlineData("weights", "[[1,2],[1,2],[1,null],[1,2]]", "layers[0].weights[2][1]: expected a number, got null")]
    [InlineData("biases", "{}", "layers[0].biases: expected an array of 4 numbers, got an object")]
    [InlineData("biases", "[1,2,[3],4]", "layers[0].biases[2]: expected a number, got an array")]
    public void Read_WrongJsonType_ThrowsNamingPathAndValue(string key, string value, string expected)
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)[key] = JsonNode.Parse(value);

        Assert.Equal($"model.json: {expected}", ModelJsonTestData.ReadError(model));
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e39")]
    [InlineData("3.5e38")]
    [InlineData("1e400")]
    public void Read_NumberBeyondFloat32_ThrowsOutsideRange(string number)
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1)["biases"] = JsonNode.Parse($"[0,{number},0]");

        Assert.Equal($"model.json: layers[1].biases[1]: {number} is outside the float32 range", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_NumberBelowFloat32Resolution_RoundsToZero()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 1)["biases"] = JsonNode.Parse("[1e-50,-1e-50,0]");

        var network = ModelJsonTestData.Read(model.ToJsonString());

        Assert.Equal([0f, -0f, 0f], network.Biases(1).ToArray());
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Read_NonFiniteLiteral_ThrowsInvalidJsonWithLine(string literal)
    {
        var json = ModelJsonTestData.ToText(ModelJsonTestData.Small()).Replace("[8.5,9.5,10.5,11.5]", $"[8.5,{literal},10.5,11.5]");
        var line = json[..json.IndexOf(literal, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        Assert.StartsWith($"model.json: line {line}: invalid JSON (", ModelJsonTestData.ReadError(json));
    }

    [Fact]
    public void Read_SoftmaxOnHiddenLayer_Throws()
    {
        var model = ModelJsonTestData.SmallAsNode();
        ModelJsonTestData.Layer(model, 0)["activation"] = "softmax";

        Assert.Equal("model.json: layers[0].activation: softmax is only allowed on the output layer", ModelJsonTestData.ReadError(model));
    }

    [Fact]
    public void Read_TooManyParameters_ThrowsBeforeReadingWeights()
    {
        const string json = """
            {"format":"backprop.model.v1","layers":[{"inputs":100000,"outputs":100000,"activation":"relu","weights":[],"biases":[]}]}
            """;

        Assert.Equal("model.json: layers[0]: the model has more than 1073741823 parameters", ModelJsonTestData.ReadError(json));
    }

    [Fact]
    public void Read_SyntaxErrorOnLineThree_ThrowsWithLineNumberAndReason()
    {
        const string json = "{\n  \"format\": \"backprop.model.v1\",\n  \"layers\": [,]\n}";

        var message = ModelJsonTestData.ReadError(json);

        Assert.StartsWith("model.json: line 3: invalid JSON (", message);
        Assert.EndsWith(")", message);
        Assert.DoesNotContain("LineNumber", message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"format\":\"backprop.model.v1\",}")]
    [InlineData("{\"format\":\"backprop.model.v1\" // comment\n}")]
    [InlineData("{'format':'backprop.model.v1'}")]
    [InlineData("{\"format\":\"backprop.model.v1\"} trailing")]
    public void Read_InvalidJson_ThrowsInvalidJson(string json)
    {
        Assert.Matches(@"^model\.json: line \d+: invalid JSON \(.+\)$", ModelJsonTestData.ReadError(json));
    }

    [Fact]
    public void Read_NestingDeeperThanTheParserAllows_ThrowsInvalidJson()
    {
        var json = "{\"format\":\"backprop.model.v1\",\"extra\":" + new string('[', 200) + new string(']', 200) + "}";

        Assert.Contains("invalid JSON", ModelJsonTestData.ReadError(json));
    }

    [Fact]
    public void Read_InvalidUtf8InActivation_ThrowsInvalidInput()
    {
        var bytes = ModelJsonTestData.ToBytes(ModelJsonTestData.Small());
        var at = Encoding.UTF8.GetString(bytes).IndexOf("sigmoid", StringComparison.Ordinal);
        bytes[at + 1] = 0xFF;

        ModelJsonTestData.ReadError(bytes);
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsOnlyInvalidInput()
    {
        var bytes = ModelJsonTestData.ToBytes(ModelJsonTestData.Small());

        for (var length = 0; length < bytes.Length; length++)
        {
            ModelJsonTestData.ReadError(bytes[..length]);
        }
    }

    [Fact]
    public void Read_RandomByteCorruptions_NeverThrowAnythingButInvalidInput()
    {
        var original = ModelJsonTestData.ToBytes(ModelJsonTestData.Small());
        var random = new Random(5);
        byte[] interesting = [.. "[]{}\",:-+.eE0123456789 nul\\"u8, 0x00, 0x80, 0xC3, 0xFF];

        for (var trial = 0; trial < 3000; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = random.Next(1, 4); k > 0; k--)
            {
                bytes[random.Next(bytes.Length)] = interesting[random.Next(interesting.Length)];
            }

            try
            {
                ModelJsonTestData.Read(bytes);
            }
            catch (InvalidInputException error)
            {
                Assert.DoesNotContain('\n', error.Message);
                Assert.StartsWith("model.json: ", error.Message);
            }
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-model-{Guid.NewGuid():N}.json");

        var error = Assert.Throws<InvalidInputException>(() => ModelJson.Load(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }

    [Fact]
    public void Load_BadFile_MessageStartsWithThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-model-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"format\":\"x\",\"layers\":[]}");
        try
        {
            var error = Assert.Throws<InvalidInputException>(() => ModelJson.Load(path));

            Assert.Equal($"{path}: format: expected \"backprop.model.v1\" or \"backprop.model.v2\", got \"x\"", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
