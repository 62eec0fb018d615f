using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Backprop.Protocol.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Backprop.Cluster.Serialization;

/// <summary>
/// Serializes every message of Backprop.Protocol (backprop.v1) for Akka.Remote: the manifest is the
/// message's full protobuf name, the payload its protobuf encoding (tensors stay raw float32 bytes).
/// </summary>
public sealed class ProtocolMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly FrozenDictionary<string, MessageParser> Parsers = new[]
    {
        ModelReflection.Descriptor, DatasetReflection.Descriptor, ClusterReflection.Descriptor, TrainerReflection.Descriptor,
    }
        .SelectMany(file => file.MessageTypes)
        .ToFrozenDictionary(type => type.FullName, type => type.Parser);

    /// <summary>Unique among the serializers of an actor system (Akka reserves 0..100).</summary>
    public override int Identifier => 7301;

    /// <inheritdoc />
    public override string Manifest(object o) => Descriptor(o).FullName;

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        Descriptor(obj);
        return ((IMessage)obj).ToByteArray();
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) =>
        Parsers.TryGetValue(manifest, out var parser)
            ? parser.ParseFrom(bytes)
            : throw new SerializationException($"ProtocolMessageSerializer: unknown manifest '{manifest}' (not a backprop.v1 message)");

    private static MessageDescriptor Descriptor(object message) =>
        message is IMessage protobuf && Parsers.ContainsKey(protobuf.Descriptor.FullName)
            ? protobuf.Descriptor
            : throw new ArgumentException($"ProtocolMessageSerializer: {message.GetType().FullName} is not a backprop.v1 message", nameof(message));
}
