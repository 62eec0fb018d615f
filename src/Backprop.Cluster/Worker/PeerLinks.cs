using Akka.Actor;
using Backprop.Cluster.Security;
using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Worker;

/// <summary>
/// A worker's tensor links to the other slice owners of one job, each dialled the first time something is sent to that
/// owner and kept for the job. Frames sent while a link is being opened wait in order and go once it is; no actor waits
/// on a socket. The outcome of opening comes back as <see cref="PeerLinkConnected"/> or <see cref="PeerLinkFailed"/>, a
/// closing as <see cref="PeerLinkFailed"/> too. Not thread-safe: the worker's actor owns it.
/// </summary>
internal sealed class PeerLinks(string jobId, IActorRef worker, TensorBufferPool buffers, TimeSpan sendTimeout, ClusterCertificates? tls) : IDisposable
{
    /// <summary>How long dialling a peer may take before the reduction round is given up.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Peer> _peers = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends <paramref name="values"/> (held by the send until <paramref name="released"/>) to slice owner
    /// <paramref name="peer"/> at <paramref name="endpoint"/>, dialling it as <paramref name="self"/> if no link is open;
    /// false, with <paramref name="values"/> released, when the link to it has failed.
    /// </summary>
    public bool Send(string self, string peer, string endpoint, TensorFrameHeader header, float[] values, Action released)
    {
        if (!_peers.TryGetValue(peer, out var link))
        {
            _peers[peer] = link = new Peer();
            _ = TensorLink.ConnectAsync(endpoint, jobId, ConnectTimeout, sendTimeout, self, tls).PipeTo(
                worker,
                success: opened => new PeerLinkConnected(jobId, peer, opened),
                failure: e => new PeerLinkFailed(jobId, peer, null, e is OperationCanceledException ? $"no answer within {ConnectTimeout}" : e.Message));
        }

        if (link.Link is null)
        {
            link.Pending.Enqueue((header, values, released));
            return true;
        }

        if (link.Link.TrySend(header, values, released, out _))
        {
            return true;
        }

        released();
        return false;
    }

    /// <summary>As <see cref="Send"/>, with a copy of <paramref name="values"/> in a buffer of the job's pool (given back once written).</summary>
    public bool SendCopy(string self, string peer, string endpoint, TensorFrameHeader header, ReadOnlySpan<float> values)
    {
        var copy = buffers.Rent(values.Length);
        values.CopyTo(copy);
        return Send(self, peer, endpoint, header, copy, () => buffers.Return(copy));
    }

    /// <summary>Starts the link to <paramref name="peer"/> that <see cref="Send"/> dialled, and sends what waited for it; false if the link failed meanwhile.</summary>
    public bool Connected(string peer, TensorLink opened)
    {
        if (!_peers.TryGetValue(peer, out var link) || link.Link is not null)
        {
            opened.Dispose();
            return true;
        }

        link.Link = opened;
        // Nothing comes back on a link this worker dialled; the reader only notices the other side closing it.
        opened.Start(buffers, (_, values) => buffers.Return(values), reason => worker.Tell(new PeerLinkFailed(jobId, peer, opened, reason)));
        var sent = true;
        while (link.Pending.TryDequeue(out var pending))
        {
            if (!sent || !opened.TrySend(pending.Header, pending.Values, pending.Released, out _))
            {
                pending.Released();
                sent = false;
            }
        }

        return sent;
    }

    /// <summary>
    /// Forgets the link to <paramref name="peer"/> after it failed (<paramref name="failed"/>: the link that closed, null
    /// when dialling failed), releasing what waited for it, so that the next send dials again; false when the news is
    /// about an older link.
    /// </summary>
    public bool Failed(string peer, TensorLink? failed)
    {
        if (!_peers.TryGetValue(peer, out var link) || (failed is not null && link.Link != failed))
        {
            return false;
        }

        _peers.Remove(peer);
        link.Link?.Dispose();
        while (link.Pending.TryDequeue(out var pending))
        {
            pending.Released();
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var peer in _peers.Keys.ToList())
        {
            Failed(peer, null);
        }
    }

    private sealed class Peer
    {
        public TensorLink? Link { get; set; }

        public Queue<(TensorFrameHeader Header, float[] Values, Action Released)> Pending { get; } = new();
    }
}
