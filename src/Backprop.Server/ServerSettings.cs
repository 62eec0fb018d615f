using Backprop.Cluster.Hosting;
using Backprop.Server.Trainer;

namespace Backprop.Server;

/// <summary>Every setting of a node, read and validated by <see cref="ServerConfiguration.Read"/>.</summary>
/// <param name="Cluster">How the node joins the cluster and what it does there.</param>
/// <param name="Trainer">The Trainer gRPC service of a coordinator node.</param>
internal sealed record ServerSettings(ClusterOptions Cluster, TrainerOptions Trainer);
