using System.Text;
using System.Text.Json.Nodes;
using Backprop.Core.Model;
using Backprop.Core.Serialization;

namespace Backprop.Core.Tests.Serialization;

/// <summary>Small networks and JSON texts shared by the model JSON tests.</summary>
internal static class ModelJsonTestData
{
    public const string Source = "model.json";

    /// <summary>2-4-3 with sigmoid then softmax, parameters 0.5, 1.5, 2.5, ... (easy to locate in messages).</summary>
    public static Network Small()
    {
        var spec = NetworkSpec.Create(2, [4], 3, Activation.Sigmoid, Activation.Softmax);
        var parameters = Enumerable.Range(0, spec.ParameterCount).Select(i => i + 0.5f).ToArray();
        return new Network(spec, parameters);
    }

    /// <summary>Every activation once, parameters with random (finite) bit patterns: subnormals, huge and tiny values.</summary>
    public static Network RandomBits(int seed)
    {
        var spec = new NetworkSpec(
            [6, 5, 4, 3, 3, 2],
            [Activation.Sigmoid, Activation.Tanh, Activation.Relu, Activation.Identity, Activation.Softmax]);
        var random = new Random(seed);
        var parameters = new float[spec.ParameterCount];
        for (var i = 0; i < parameters.Length; i++)
        {
            float value;
            do
            {
                value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            }
            while (!float.IsFinite(value));
            parameters[i] = value;
        }

        return new Network(spec, parameters);
    }

    public static byte[] ToBytes(Network network)
    {
        using var stream = new MemoryStream();
        ModelJson.Write(new TrainedModel(network, ModelMetadata.None), stream);
        return stream.ToArray();
    }

    public static string ToText(Network network) => Encoding.UTF8.GetString(ToBytes(network));

    /// <summary>The JSON of <see cref="Small"/> as a mutable tree, for tests that break one thing in it.</summary>
    public static JsonObject SmallAsNode() => JsonNode.Parse(ToText(Small()))!.AsObject();

    public static JsonObject Layer(JsonObject model, int layer) => model["layers"]![layer]!.AsObject();

    public static Network Read(string json) => Read(Encoding.UTF8.GetBytes(json));

    public static Network Read(byte[] json)
    {
        using var stream = new MemoryStream(json);
        return ModelJson.Read(stream, Source).Network;
    }

    /// <summary>Reads <paramref name="json"/>, expecting a one-line <see cref="InvalidInputException"/>, and returns its message.</summary>
    public static string ReadError(string json) => ReadError(Encoding.UTF8.GetBytes(json));

    public static string ReadError(byte[] json)
    {
        var error = Assert.Throws<InvalidInputException>(() => Read(json));
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        Assert.StartsWith(Source + ": ", error.Message);
        return error.Message;
    }

    public static string ReadError(JsonNode model) => ReadError(model.ToJsonString());

    public static void AssertBitwiseEqual(Network expected, Network actual)
    {
        Assert.Equal(expected.Spec.ToString(), actual.Spec.ToString());
        Assert.Equal(expected.Parameters.Length, actual.Parameters.Length);
        for (var i = 0; i < expected.Parameters.Length; i++)
        {
            var want = BitConverter.SingleToUInt32Bits(expected.Parameters[i]);
            var got = BitConverter.SingleToUInt32Bits(actual.Parameters[i]);
            Assert.True(want == got, $"parameter {i}: expected {expected.Parameters[i]:R} (0x{want:X8}), got {actual.Parameters[i]:R} (0x{got:X8})");
        }
    }
}
