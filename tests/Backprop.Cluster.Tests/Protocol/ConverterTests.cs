using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Protocol;
using Google.Protobuf;
using V1 = Backprop.Protocol.V1;

namespace Backprop.Cluster.Tests.Protocol;

/// <summary>Backprop.Protocol's converters (the project has no test project of its own).</summary>
public sealed class ConverterTests
{
    public static TheoryData<int, int[], Activation, Activation> Specs => new()
    {
        { 2, [], Activation.Identity, Activation.Sigmoid },
        { 784, [128], Activation.Relu, Activation.Softmax },
        { 3, [5, 4, 7], Activation.Tanh, Activation.Identity },
        { 1, [1, 1], Activation.Sigmoid, Activation.Relu },
        { 10, [6], Activation.Identity, Activation.Tanh },
    };

    public static TheoryData<Activation> CoreActivations => [.. Enum.GetValues<Activation>()];

    public static TheoryData<V1.Activation> WireActivations => [.. Enum.GetValues<V1.Activation>().Where(a => a != V1.Activation.Unspecified)];

    public static TheoryData<LossKind> CoreLosses => [.. Enum.GetValues<LossKind>()];

    public static TheoryData<V1.Loss> WireLosses => [.. Enum.GetValues<V1.Loss>().Where(l => l != V1.Loss.Unspecified)];

    [Fact]
    public void NetworkSpecToProto_MnistNetwork_WireFieldsAsTheProtoDescribes()
    {
        var spec = NetworkSpec.Create(784, [128], 10, Activation.Relu, Activation.Softmax);

        var proto = ModelConverter.NetworkSpecToProto(spec);

        Assert.Equal(784, proto.InputSize);
        Assert.Equal([(128, V1.Activation.Relu), (10, V1.Activation.Softmax)], proto.Layers.Select(l => (l.Outputs, l.Activation)));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void NetworkSpecToProtoAndBack_AnySpec_SameLayersAndActivations(int inputs, int[] hidden, Activation hiddenActivation, Activation output)
    {
        var spec = NetworkSpec.Create(inputs, hidden, 3, hiddenActivation, output);

        var back = ModelConverter.NetworkSpecFrom(ModelConverter.NetworkSpecToProto(spec), "network");

        Assert.Equal(spec.LayerSizes, back.LayerSizes);
        Assert.Equal(spec.Layers.Select(l => l.Activation), back.Layers.Select(l => l.Activation));
        Assert.Equal(spec.ParameterCount, back.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void ModelToProtoAndBack_AnySpec_ParametersBitExact(int inputs, int[] hidden, Activation hiddenActivation, Activation output)
    {
        var spec = NetworkSpec.Create(inputs, hidden, 3, hiddenActivation, output);
        var network = new Network(spec, AwkwardFloats(spec.ParameterCount, seed: inputs));

        var back = ModelConverter.ModelFrom(ModelConverter.ModelToProto(network), "model");

        Assert.Equal(spec.LayerSizes, back.Spec.LayerSizes);
        Assert.Equal(Bits(network.Parameters), Bits(back.Parameters));
        Assert.NotSame(network.Parameters, back.Parameters);
    }

    [Fact]
    public void ModelToProto_Parameters_LittleEndianFloat32InLayout()
    {
        var spec = NetworkSpec.Create(2, [], 1, Activation.Identity, Activation.Identity);
        var network = new Network(spec, [1.5f, -2f, 0.25f]);

        var proto = ModelConverter.ModelToProto(network);

        Assert.Equal([0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x80, 0x3E], proto.Parameters.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(CoreActivations))]
    public void Activation_EveryCoreValue_RoundTripsThroughADistinctWireValue(Activation activation)
    {
        var wire = ModelConverter.ActivationToProto(activation);

        Assert.NotEqual(V1.Activation.Unspecified, wire);
        Assert.Equal(activation, ModelConverter.ActivationFrom(wire, "activation"));
        Assert.Single(Enum.GetValues<Activation>(), other => ModelConverter.ActivationToProto(other) == wire);
    }

    [Theory]
    [MemberData(nameof(WireActivations))]
    public void Activation_EveryWireValue_RoundTripsThroughCore(V1.Activation wire)
    {
        Assert.Equal(wire, ModelConverter.ActivationToProto(ModelConverter.ActivationFrom(wire, "activation")));
    }

    [Theory]
    [MemberData(nameof(CoreLosses))]
    public void Loss_EveryCoreValue_RoundTripsThroughADistinctWireValue(LossKind loss)
    {
        var wire = ModelConverter.LossToProto(loss);

        Assert.NotEqual(V1.Loss.Unspecified, wire);
        Assert.Equal(loss, ModelConverter.LossFrom(wire, "loss"));
        Assert.Single(Enum.GetValues<LossKind>(), other => ModelConverter.LossToProto(other) == wire);
    }

    [Theory]
    [MemberData(nameof(WireLosses))]
    public void Loss_EveryWireValue_RoundTripsThroughCore(V1.Loss wire)
    {
        Assert.Equal(wire, ModelConverter.LossToProto(ModelConverter.LossFrom(wire, "loss")));
    }

    [Theory]
    [InlineData(V1.Activation.Unspecified)]
    [InlineData((V1.Activation)99)]
    public void ActivationFrom_UnspecifiedOrUnknown_InvalidInputNamingTheField(V1.Activation wire)
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.ActivationFrom(wire, "job.layers[2].activation"));

        Assert.StartsWith("job.layers[2].activation:", error.Message);
    }

    [Theory]
    [InlineData(V1.Loss.Unspecified)]
    [InlineData((V1.Loss)99)]
    public void LossFrom_UnspecifiedOrUnknown_InvalidInputNamingTheField(V1.Loss wire)
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.LossFrom(wire, "settings.loss"));

        Assert.StartsWith("settings.loss:", error.Message);
    }

    [Fact]
    public void ActivationToProto_UnknownCoreValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelConverter.ActivationToProto((Activation)99));
    }

    [Fact]
    public void LossToProto_UnknownCoreValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelConverter.LossToProto((LossKind)99));
    }

    [Fact]
    public void NetworkSpecFrom_LayerWithUnspecifiedActivation_InvalidInputNamingTheLayer()
    {
        var proto = ModelConverter.NetworkSpecToProto(NetworkSpec.Create(3, [4, 5], 2, Activation.Tanh, Activation.Sigmoid));
        proto.Layers[1].Activation = V1.Activation.Unspecified;

        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.NetworkSpecFrom(proto, "job.network"));

        Assert.StartsWith("job.network.layers[1].activation:", error.Message);
    }

    [Fact]
    public void NetworkSpecFrom_Missing_InvalidInputNamingTheField()
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.NetworkSpecFrom(null, "job.network"));

        Assert.StartsWith("job.network:", error.Message);
    }

    [Fact]
    public void NetworkSpecFrom_NoLayers_InvalidInputNamingTheField()
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.NetworkSpecFrom(new V1.NetworkSpec { InputSize = 3 }, "job.network"));

        Assert.StartsWith("job.network:", error.Message);
    }

    [Fact]
    public void NetworkSpecFrom_LayerWithZeroOutputs_InvalidInputNamingTheField()
    {
        var proto = ModelConverter.NetworkSpecToProto(NetworkSpec.Create(3, [4], 2, Activation.Tanh, Activation.Sigmoid));
        proto.Layers[0].Outputs = 0;

        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.NetworkSpecFrom(proto, "job.network"));

        Assert.Contains("job.network", error.Message);
    }

    [Fact]
    public void ModelFrom_Missing_InvalidInputNamingTheField()
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.ModelFrom(null, "response.model"));

        Assert.StartsWith("response.model:", error.Message);
    }

    [Fact]
    public void ModelFrom_MissingSpec_InvalidInputNamingTheSpec()
    {
        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.ModelFrom(new V1.Model { Parameters = ByteString.CopyFrom(new byte[12]) }, "model"));

        Assert.StartsWith("model.spec:", error.Message);
    }

    [Theory]
    [InlineData(-4)]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(3)]
    public void ModelFrom_WrongParameterByteCount_InvalidInputNamingTheParameters(int extraBytes)
    {
        var spec = NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Identity);
        var proto = ModelConverter.ModelToProto(new Network(spec, new float[spec.ParameterCount]));
        proto.Parameters = ByteString.CopyFrom(new byte[(spec.ParameterCount * sizeof(float)) + extraBytes]);

        var error = Assert.Throws<InvalidInputException>(() => ModelConverter.ModelFrom(proto, "model"));

        Assert.StartsWith("model.parameters:", error.Message);
        Assert.Contains($"{spec.ParameterCount} float32 values", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4099)]
    public void TensorBytesCountOf_NotAMultipleOf4_InvalidDataNamingTheField(int length)
    {
        var error = Assert.Throws<InvalidDataException>(() => TensorBytes.CountOf(ByteString.CopyFrom(new byte[length]), "chunk.data"));

        Assert.StartsWith("chunk.data:", error.Message);
        Assert.Contains($"{length} bytes", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(4100)]
    public void TensorBytesCountOf_MultipleOf4_ValueCount(int length)
    {
        Assert.Equal(length / 4, TensorBytes.CountOf(ByteString.CopyFrom(new byte[length]), "chunk.data"));
    }

    [Fact]
    public void TensorBytesToArray_OfFrom_BitExact()
    {
        var values = AwkwardFloats(1000, seed: 2);

        Assert.Equal(Bits(values), Bits(TensorBytes.ToArray(TensorBytes.From(values), "values")));
    }

    [Fact]
    public void TensorBytesCopyTo_DestinationOfAnotherLength_InvalidDataNamingTheField()
    {
        var bytes = TensorBytes.From([1f, 2f, 3f]);

        var error = Assert.Throws<InvalidDataException>(() => TensorBytes.CopyTo(bytes, new float[4], "weights"));

        Assert.StartsWith("weights:", error.Message);
    }

    [Fact]
    public void TensorChecksum_TwoParts_EqualsChecksumOfTheirConcatenation()
    {
        var first = AwkwardFloats(37, seed: 3);
        var second = AwkwardFloats(11, seed: 4);

        Assert.Equal(TensorChecksum.Of([.. first, .. second]), TensorChecksum.Of(first, second));
        Assert.NotEqual(TensorChecksum.Of(first, second), TensorChecksum.Of(second, first));
    }

    [Fact]
    public void TensorChecksum_AnySingleBitFlipped_Differs()
    {
        var values = AwkwardFloats(16, seed: 5);
        var checksum = TensorChecksum.Of(values);

        for (var bit = 0; bit < values.Length * 32; bit++)
        {
            var flipped = (float[])values.Clone();
            flipped[bit / 32] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(flipped[bit / 32]) ^ (1 << (bit % 32)));

            Assert.NotEqual(checksum, TensorChecksum.Of(flipped));
        }
    }

    [Fact]
    public void TensorChecksum_NegativeZero_DiffersFromZero()
    {
        Assert.NotEqual(TensorChecksum.Of([0f]), TensorChecksum.Of([-0f]));
    }

    [Fact]
    public void DescriptorOf_Dataset_ShapeChecksumIdAndSource()
    {
        var dataset = XorDataset.Load().Train;
        var source = new V1.DatasetSource { Data = BuiltInDatasets.Xor, SplitSeed = 4 };

        var descriptor = DatasetConverter.DescriptorOf(dataset, source);

        Assert.Equal((dataset.Name, 4, 2, 2), (descriptor.Name, descriptor.Count, descriptor.InputSize, descriptor.TargetSize));
        Assert.Equal(TensorChecksum.Of(dataset.Features, dataset.Targets), descriptor.Checksum);
        Assert.Equal($"{descriptor.Checksum:x16}-4x2+2", descriptor.DatasetId);
        Assert.Equal(source, descriptor.Source);
        Assert.Null(DatasetConverter.DescriptorOf(dataset, source: null).Source);
    }

    [Fact]
    public void DescriptorOf_SameValuesSplitDifferently_DifferentIds()
    {
        var values = AwkwardFloats(12, seed: 6);
        var asTwoByOne = new Dataset("d", 2, 1, values[..8], values[8..]);
        var asOneByTwo = new Dataset("d", 1, 2, values[..4], values[4..]);

        Assert.NotEqual(DatasetConverter.DescriptorOf(asTwoByOne, null).DatasetId, DatasetConverter.DescriptorOf(asOneByTwo, null).DatasetId);
    }

    [Fact]
    public void Matches_CopyOfTheData_True()
    {
        var dataset = SpiralDataset.Load(3).Train;
        var descriptor = DatasetConverter.DescriptorOf(dataset, null);
        var copy = new Dataset("elsewhere", dataset.InputSize, dataset.TargetSize, (float[])dataset.Features.Clone(), (float[])dataset.Targets.Clone());

        Assert.True(DatasetConverter.Matches(copy, descriptor));
    }

    [Fact]
    public void Matches_OneFeatureOrTargetChangedOrShapeDiffers_False()
    {
        var dataset = XorDataset.Load().Train;
        var descriptor = DatasetConverter.DescriptorOf(dataset, null);
        var features = (float[])dataset.Features.Clone();
        features[5] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(features[5]) ^ 1);
        var targets = (float[])dataset.Targets.Clone();
        targets[0] = 1 - targets[0];

        Assert.False(DatasetConverter.Matches(new Dataset("x", 2, 2, features, dataset.Targets), descriptor));
        Assert.False(DatasetConverter.Matches(new Dataset("x", 2, 2, dataset.Features, targets), descriptor));
        Assert.False(DatasetConverter.Matches(dataset, new V1.DatasetDescriptor(descriptor) { Count = 5 }));
        Assert.False(DatasetConverter.Matches(dataset, new V1.DatasetDescriptor(descriptor) { InputSize = 1 }));
        Assert.False(DatasetConverter.Matches(dataset, new V1.DatasetDescriptor(descriptor) { TargetSize = 1 }));
        Assert.True(DatasetConverter.Matches(dataset, new V1.DatasetDescriptor(descriptor) { Name = "renamed" }));
    }

    /// <summary>Seeded floats with NaN payloads, signed zeros, infinities and subnormals among ordinary values.</summary>
    private static float[] AwkwardFloats(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (i % 6) switch
            {
                0 => BitConverter.Int32BitsToSingle(random.Next()),
                1 => BitConverter.Int32BitsToSingle(unchecked((int)0x7FC0_0000u) | random.Next(1, 1 << 20)),
                2 => -0f,
                3 => float.Epsilon * random.Next(1, 100),
                4 => float.NegativeInfinity,
                _ => (float)random.NextDouble() - 0.5f,
            };
        }

        return values;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
