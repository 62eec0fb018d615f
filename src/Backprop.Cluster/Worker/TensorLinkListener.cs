using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Akka.Actor;
using Backprop.Cluster.Security;
using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Worker;

/// <summary>
/// Accepts the direct tensor links of coordinators and of other workers (slice owners of a reduction) on a free port of
/// the node's address and hands each one, with the job id and peer it opened with, to the gradient worker as
/// <see cref="TensorLinkOpened"/>. Refused TLS handshakes are reported (logged) at most once per 10 s, with a count.
/// </summary>
internal sealed class TensorLinkListener : IDisposable
{
    /// <summary>
    /// Connections that may be opening at once (TLS and the job's name, at most 10 s each). Past that the oldest is given
    /// up, so a flood of connections that say nothing holds a bounded number of sockets, while a peer of the cluster,
    /// whose opening takes milliseconds, still gets through. A job opens one link per worker and slice owner, far fewer.
    /// </summary>
    private const int MaxOpening = 256;

    private readonly TcpListener _listener;
    private readonly RefusalReports _refusals = new(TimeSpan.FromSeconds(10));
    /// <summary>The connections opening now, oldest first; each with what gives up on it.</summary>
    private readonly LinkedList<CancellationTokenSource> _opening = new();

    private TensorLinkListener(TcpListener listener, string endpoint)
    {
        _listener = listener;
        Endpoint = endpoint;
    }

    /// <summary>"host:port" as coordinators should dial it.</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Listens on <paramref name="bindHost"/> (an address or a name) and <paramref name="port"/> (0: a free one), advertising
    /// <paramref name="publicHost"/>; each frame the accepted links send must be written within <paramref name="sendTimeout"/>.
    /// With <paramref name="tls"/> a connection must complete mutual TLS first; one refused is reported as <see cref="TensorLinkRefused"/>.
    /// </summary>
    public static TensorLinkListener Start(string bindHost, int port, string publicHost, TimeSpan sendTimeout, ClusterCertificates? tls, IActorRef worker)
    {
        var address = IPAddress.TryParse(bindHost, out var parsed) ? parsed : Dns.GetHostAddresses(bindHost)[0];
        var listener = new TcpListener(address, port);
        listener.Start();
        var bound = ((IPEndPoint)listener.LocalEndpoint).Port;
        var links = new TensorLinkListener(listener, $"{publicHost}:{bound}");
        _ = Task.Run(() => links.AcceptAsync(sendTimeout, tls, worker));
        return links;
    }

    public void Dispose() => _listener.Dispose();

    private async Task AcceptAsync(TimeSpan sendTimeout, ClusterCertificates? tls, IActorRef worker)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = OpenAsync(client, sendTimeout, tls, worker);
        }
    }

    private async Task OpenAsync(TcpClient client, TimeSpan sendTimeout, ClusterCertificates? tls, IActorRef worker)
    {
        using var giveUp = new CancellationTokenSource();
        var opening = StartOpening(giveUp);
        try
        {
            var (link, jobId, peer) = await TensorLink.AcceptAsync(client, sendTimeout, tls, giveUp.Token).ConfigureAwait(false);
            worker.Tell(new TensorLinkOpened(jobId, link, peer));
        }
        catch (AuthenticationException e)
        {
            if (_refusals.ShouldReport(out var notReported))
            {
                worker.Tell(new TensorLinkRefused(e.Message, notReported));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SocketException or OperationCanceledException)
        {
            // Not a peer of the cluster (it closed early, sent nonsense, stayed silent or was pushed out): AcceptAsync closed it.
        }
        finally
        {
            lock (_opening)
            {
                if (opening.List is not null)
                {
                    _opening.Remove(opening);
                }
            }
        }
    }

    /// <summary>Counts a connection as opening; when that makes too many, gives up on the oldest of them.</summary>
    private LinkedListNode<CancellationTokenSource> StartOpening(CancellationTokenSource giveUp)
    {
        LinkedListNode<CancellationTokenSource>? oldest = null;
        LinkedListNode<CancellationTokenSource> opening;
        lock (_opening)
        {
            opening = _opening.AddLast(giveUp);
            if (_opening.Count > MaxOpening)
            {
                oldest = _opening.First!;
                _opening.RemoveFirst();
            }
        }

        // Outside the lock: cancelling runs the oldest connection's cancellation callbacks on this thread.
        try
        {
            oldest?.Value.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished opening (or failed) in the meantime.
        }

        return opening;
    }
}
