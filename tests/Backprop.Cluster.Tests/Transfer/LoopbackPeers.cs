using System.Net;
using System.Net.Sockets;

namespace Backprop.Cluster.Tests.Transfer;

/// <summary>A loopback listener that accepts tensor links and reads only when a test does (a paused or cut-off peer).</summary>
internal sealed class SilentPeer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public SilentPeer()
    {
        _listener.Start();
        Accepted = _listener.AcceptTcpClientAsync();
    }

    /// <summary>"127.0.0.1:port", as a worker offers it.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The first connection, which nothing reads.</summary>
    public Task<TcpClient> Accepted { get; }

    public void Dispose()
    {
        if (Accepted.IsCompletedSuccessfully)
        {
            Accepted.Result.Dispose();
        }

        _listener.Dispose();
    }
}

/// <summary>
/// An endpoint whose connects never complete: a listening socket that accepts nothing and whose backlog is full, so the
/// kernel drops further handshakes (as a host that is down or behind a dropping firewall does).
/// </summary>
internal sealed class Blackhole : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _queued = [];

    public Blackhole()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        // Fill the accept queue until a handshake no longer completes (loopback handshakes take microseconds, even under load).
        for (var i = 0; i < 16; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _queued.Add(client);
            if (!client.ConnectAsync(_listener.LocalEndPoint!).Wait(TimeSpan.FromSeconds(1)))
            {
                return;
            }
        }

        throw new InvalidOperationException("the listener's backlog never filled");
    }

    /// <summary>"127.0.0.1:port".</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";

    public void Dispose()
    {
        foreach (var socket in _queued)
        {
            socket.Dispose();
        }

        _listener.Dispose();
    }
}
