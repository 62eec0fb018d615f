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
/// <see cref="TensorLinkOpened"/>.
/// </summary>
internal sealed class TensorLinkListener : IDisposable
{
    private readonly TcpListener _listener;

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

            _ = Task.Run(() =>
            {
                try
                {
                    var (link, jobId, peer) = TensorLink.Accept(client, sendTimeout, tls);
                    worker.Tell(new TensorLinkOpened(jobId, link, peer));
                }
                catch (AuthenticationException e)
                {
                    worker.Tell(new TensorLinkRefused(e.Message));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or SocketException)
                {
                    client.Dispose();
                }
            });
        }
    }
}
