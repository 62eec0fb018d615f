using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Worker;

/// <summary>A coordinator (<paramref name="Peer"/> empty) or the slice owner <paramref name="Peer"/> opened a direct tensor link for <paramref name="JobId"/>.</summary>
internal sealed record TensorLinkOpened(string JobId, TensorLink Link, string Peer);

/// <summary>
/// A connection to the tensor link port failed its TLS handshake; <paramref name="Reason"/> names the peer and why, and
/// <paramref name="NotReported"/> counts the refusals since the last one reported.
/// </summary>
internal sealed record TensorLinkRefused(string Reason, int NotReported);

/// <summary>A job's tensor link stopped; <paramref name="Reason"/> says why.</summary>
internal sealed record TensorLinkClosed(string JobId, TensorLink Link, string Reason);

/// <summary>A frame arrived over one of a job's tensor links, from its coordinator or from a slice owner (<paramref name="FromCoordinator"/>).</summary>
internal sealed record LinkFrameArrived(string JobId, TensorFrameHeader Header, float[] Values, bool FromCoordinator);

/// <summary>The link this worker dialled to slice owner <paramref name="Peer"/> is open (<see cref="PeerLinks"/>).</summary>
internal sealed record PeerLinkConnected(string JobId, string Peer, TensorLink Link);

/// <summary>The link to slice owner <paramref name="Peer"/> could not be opened (<paramref name="Link"/> null) or closed.</summary>
internal sealed record PeerLinkFailed(string JobId, string Peer, TensorLink? Link, string Reason);
