using Akka.Actor;

namespace Backprop.Cluster.Worker;

/// <summary>
/// Why a worker node shut down: its cluster had no coordinator for <see cref="Hosting.ClusterOptions.CoordinatorLostAfter"/>.
/// The node exits non-zero so that its supervisor (a restart policy) starts it again, and the new node joins the
/// seed nodes: a cluster that lost its coordinator cannot take in a new one started without seeds.
/// </summary>
public sealed class CoordinatorLostReason : CoordinatedShutdown.Reason
{
    /// <summary>The one instance.</summary>
    public static readonly CoordinatorLostReason Instance = new();

    private CoordinatorLostReason()
    {
    }

    /// <inheritdoc />
    /// <remarks>Used only where Akka itself ends the process (<c>exit-clr</c>); the server maps the reason on its own.</remarks>
    public override int ExitCode => 1;
}
