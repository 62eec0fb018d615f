using Akka.Actor;
using Akka.Serialization;
using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Tests.Serialization;

/// <summary>One actor system with a node's configuration (no cluster joined), shared by the serialization tests.</summary>
public sealed class NodeActorSystemFixture : IAsyncLifetime
{
    public ActorSystem System { get; private set; } = null!;

    public Task InitializeAsync()
    {
        System = ActorSystem.Create("serialization-tests", ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => System.Terminate();

    /// <summary>What Akka.Remote does with a message: find its serializer by binding, write the manifest and bytes.</summary>
    public (Serializer Serializer, string Manifest, byte[] Bytes) Serialize(object message)
    {
        var serializer = System.Serialization.FindSerializerFor(message);
        return (serializer, Akka.Serialization.Serialization.ManifestFor(serializer, message), serializer.ToBinary(message));
    }

    /// <summary>What Akka.Remote does with a frame it receives: deserialize by serializer id and manifest.</summary>
    public object Deserialize(byte[] bytes, int serializerId, string manifest) =>
        System.Serialization.Deserialize(bytes, serializerId, manifest);
}

[CollectionDefinition(Name)]
public sealed class NodeActorSystemCollection : ICollectionFixture<NodeActorSystemFixture>
{
    public const string Name = "node actor system";
}
