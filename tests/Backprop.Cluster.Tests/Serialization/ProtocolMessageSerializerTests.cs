using System.Runtime.Serialization;
using Backprop.Cluster.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Backprop.Cluster.Tests.Serialization;

[Collection(NodeActorSystemCollection.Name)]
public sealed class ProtocolMessageSerializerTests(NodeActorSystemFixture node)
{
    private const int OurIdentifier = 7301;

    /// <summary>Every message of cluster.proto with realistic, non-default values in every field.</summary>
    private static readonly IMessage[] ClusterMessages =
    [
        new JoinJob
        {
            JobId = "job-3f2a",
            Network = new NetworkSpec { InputSize = 784, Layers = { new LayerSpec { Outputs = 128, Activation = Activation.Relu }, new LayerSpec { Outputs = 10, Activation = Activation.Softmax } } },
            Loss = Loss.CrossEntropy,
            ShardSize = 32,
            Dataset = new DatasetDescriptor
            {
                DatasetId = "9bc0fd7762311239-60000x784+10", Name = "mnist", Count = 60000, InputSize = 784, TargetSize = 10,
                Checksum = 0x9BC0_FD77_6231_1239, Source = new DatasetSource
                {
                    Data = "mnist",
                    TargetColumns = 2,
                    SplitSeed = -5,
                    Table = new TableLayout { Header = true, LabelColumn = "kind", TargetNames = { "price", "rent" } },
                    Standardize = true,
                    ValidationSplit = 0.25,
                },
            },
            MaxRows = 512,
        },
        new JobJoined { JobId = "job-3f2a", DatasetReady = true, Threads = 16, Error = "out of memory", TensorEndpoint = "10.0.0.7:41234" },
        new DatasetShipped { JobId = "job-3f2a", DatasetId = "9bc0fd7762311239-60000x784+10", ChunkCount = 360 },
        new TensorChunk { JobId = "job-3f2a", TransferId = long.MaxValue, Sequence = 7, Offset = 917504, Data = ByteString.CopyFrom(0x00, 0x00, 0xC0, 0x7F, 0x01, 0x00, 0x80, 0x80) },
        new WeightsUpdate { JobId = "job-3f2a", Version = 1234, TransferId = 99, ChunkCount = 2, ValueCount = 101770, Checksum = ulong.MaxValue },
        new Shard { FirstLeaf = 4, EndLeaf = 8, SampleIndices = { 59999, 0, 17, 3 } },
        new ComputeGradients
        {
            JobId = "job-3f2a", Step = 1234, Shards = { new Shard { FirstLeaf = 0, EndLeaf = 1, SampleIndices = { 5 } }, new Shard { FirstLeaf = 1, EndLeaf = 2, SampleIndices = { 6, 7 } } },
            Reduction = Reduction(),
        },
        Reduction(),
        Peer(),
        new ReductionFailed { JobId = "job-3f2a", Step = 1234, Round = 77, Reason = "the link to slice owner akka.tcp://backprop@10.0.0.8:4053/user/gradient-worker: connection refused" },
        new GradientsComputed
        {
            JobId = "job-3f2a", Step = 1234, FirstLeaf = 8, EndLeaf = 16, SampleCount = 256, LossSum = 1.0 / 3.0,
            ComputeSeconds = 0.0125, TransferId = -2, ChunkCount = 1, Checksum = 0x8000_0000_0000_0001,
        },
        new ShardFailed { JobId = "job-3f2a", Step = 1234, FirstLeaf = 8, EndLeaf = 16, Reason = "step 1234 needs weights version 1234, this worker holds 1233" },
        new LeaveJob { JobId = "job-3f2a" },
    ];

    private static Reduction Reduction() => new()
    {
        Round = 77, BucketBytes = 167424, LeafCount = 16, Owners = { Peer(), new ReductionPeer { Id = "akka.tcp://backprop@10.0.0.9:4053/user/gradient-worker", TensorEndpoint = "10.0.0.9:41235" } },
        Self = "akka.tcp://backprop@10.0.0.9:4053/user/gradient-worker",
    };

    private static ReductionPeer Peer() => new() { Id = "akka.tcp://backprop@10.0.0.8:4053/user/gradient-worker", TensorEndpoint = "10.0.0.8:41234" };

    public static TheoryData<string> ClusterMessageNames => [.. ClusterMessages.Select(m => m.Descriptor.FullName)];

    /// <summary>Every message of every backprop.v1 file, by full name.</summary>
    public static TheoryData<string> AllMessageNames => [.. ProtocolFiles.SelectMany(f => f.MessageTypes).Select(m => m.FullName)];

    private static FileDescriptor[] ProtocolFiles =>
        [ModelReflection.Descriptor, DatasetReflection.Descriptor, ClusterReflection.Descriptor, TrainerReflection.Descriptor];

    [Fact]
    public void ClusterMessages_CoverEveryMessageOfClusterProto()
    {
        Assert.Equal(
            ClusterReflection.Descriptor.MessageTypes.Select(m => m.FullName).Order(),
            ClusterMessages.Select(m => m.Descriptor.FullName).Order());
    }

    [Theory]
    [MemberData(nameof(ClusterMessageNames))]
    public void RoundTrip_ClusterMessage_OurSerializerAndEqualMessage(string name)
    {
        var message = ClusterMessages.Single(m => m.Descriptor.FullName == name);
        ProtoFill.AssertEveryFieldSet(message);

        var (serializer, manifest, bytes) = node.Serialize(message);
        var back = node.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.IsType<ProtocolMessageSerializer>(serializer);
        Assert.Equal(OurIdentifier, serializer.Identifier);
        Assert.Equal(name, manifest);
        Assert.IsType(message.GetType(), back);
        Assert.Equal(message, back);
    }

    [Theory]
    [MemberData(nameof(AllMessageNames))]
    public void RoundTrip_AnyProtocolMessageWithEveryFieldSet_EqualMessage(string name)
    {
        var descriptor = ProtocolFiles.SelectMany(f => f.MessageTypes).Single(m => m.FullName == name);
        for (var variant = 0; variant < ProtoFill.VariantCount(descriptor); variant++)
        {
            var message = ProtoFill.Create(descriptor, variant);
            ProtoFill.AssertEveryFieldSet(message);

            var (serializer, manifest, bytes) = node.Serialize(message);
            var back = node.Deserialize(bytes, serializer.Identifier, manifest);

            Assert.Equal(OurIdentifier, serializer.Identifier);
            Assert.Equal(message, back);
        }
    }

    [Fact]
    public void FromBinary_UnknownManifest_SerializationExceptionNamingIt()
    {
        var serializer = Ours();

        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary([], "backprop.v1.NoSuchMessage"));

        Assert.Contains("'backprop.v1.NoSuchMessage'", error.Message);
    }

    [Fact]
    public void FromBinary_ManifestOfAnotherPackage_SerializationException()
    {
        var serializer = Ours();

        Assert.Throws<SerializationException>(() => serializer.FromBinary([], "google.protobuf.Timestamp"));
    }

    [Fact]
    public void ToBinaryAndManifest_NotAProtobufMessage_ArgumentExceptionNamingTheType()
    {
        var serializer = Ours();

        var toBinary = Assert.Throws<ArgumentException>(() => serializer.ToBinary(new Uri("http://example.org")));
        var manifest = Assert.Throws<ArgumentException>(() => serializer.Manifest(new Uri("http://example.org")));

        Assert.Contains("System.Uri", toBinary.Message);
        Assert.Contains("System.Uri", manifest.Message);
    }

    [Fact]
    public void ToBinary_ProtobufMessageOutsideTheProtocol_ArgumentExceptionNamingTheType()
    {
        var timestamp = new Timestamp { Seconds = 1 };
        var serializer = node.System.Serialization.FindSerializerFor(timestamp);

        var error = Assert.Throws<ArgumentException>(() => serializer.ToBinary(timestamp));

        Assert.Equal(OurIdentifier, serializer.Identifier);
        Assert.Contains(typeof(Timestamp).FullName!, error.Message);
    }

    [Fact]
    public void FromBinary_TensorChunk_DataKeepsRawFloatBytes()
    {
        var floats = new[] { float.NaN, -0f, float.Epsilon, 1.5f };
        var chunk = new TensorChunk { JobId = "j", Data = TensorBytes.From(floats) };

        var (serializer, manifest, bytes) = node.Serialize(chunk);
        var back = (TensorChunk)node.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), TensorBytes.ToArray(back.Data, "data").Select(BitConverter.SingleToInt32Bits));
    }

    private ProtocolMessageSerializer Ours() =>
        Assert.IsType<ProtocolMessageSerializer>(node.System.Serialization.FindSerializerForType(typeof(LeaveJob)));
}
