using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using Backprop.Cluster.Security;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// A direct TCP connection between a job's coordinator and one worker that carries θ down and gradient sums
/// up as <see cref="TensorFrame"/>s: one write from the sender's array, one read into the receiver's buffer,
/// none of remoting's copies and thread hand-offs. Control messages stay on Akka. No actor ever waits on the socket:
/// a reader thread of the link's own hands each received tensor to its actor as a message; the writer takes frames from
/// a bounded queue (<see cref="TrySend"/>), writes what the socket takes at once on the queuing thread and the rest
/// asynchronously, and gives each buffer back when its write ends. A frame not written within the send timeout (a peer that stopped reading: paused, cut off) or a
/// full queue closes the link; whoever closes it first, the owner hears why once. With the cluster's certificates the
/// connection is mutual TLS (both ends present a certificate of the cluster CA, as on remoting) before the job is named.
/// </summary>
public sealed class TensorLink : IDisposable
{
    /// <summary>
    /// Frames that may wait to be written. In a reduction a worker queues one per bucket of each block it computes for
    /// each other slice owner (about eight per owner and block), and an owner one per bucket of θ for each other owner;
    /// the coordinator one θ per step or one per owned bucket. A queue this long means the peer no longer reads; one that
    /// reads slowly is caught by the send timeout.
    /// </summary>
    public const int SendQueueCapacity = 1024;

    /// <summary>How long an accepted connection may take to complete TLS and name its job.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly TimeSpan _sendTimeout;
    /// <summary>
    /// Frames waiting to be written. Synchronous continuations: a frame queued while the writer waits is written on the
    /// queuing thread at once, as far as the socket's buffer takes it without waiting (a .NET socket tries a send
    /// before it waits for the socket to be writable); only the rest continues on the thread pool. A writer thread of
    /// its own would wait for a time slice for every frame, which busy cores make long.
    /// </summary>
    private readonly Channel<PendingSend> _sends = Channel.CreateBounded<PendingSend>(
        new BoundedChannelOptions(SendQueueCapacity) { SingleReader = true, AllowSynchronousContinuations = true });

    private readonly byte[] _header = new byte[TensorFrame.HeaderBytes];
    private Action<string>? _closed;
    private string? _closeReason;
    private int _closing;

    private TensorLink(TcpClient client, Stream stream, TimeSpan sendTimeout)
    {
        _client = client;
        _client.NoDelay = true;
        _stream = stream;
        _sendTimeout = sendTimeout;
    }

    /// <summary>
    /// Opens a link to <paramref name="endpoint"/> ("host:port") for job <paramref name="jobId"/>, giving up after
    /// <paramref name="connectTimeout"/>; each frame it sends must be written within <paramref name="sendTimeout"/>.
    /// <paramref name="peer"/> names the dialling slice owner on a link between workers (empty: the coordinator).
    /// With <paramref name="tls"/> the connection is mutual TLS first.
    /// </summary>
    /// <exception cref="SocketException">The worker cannot be reached.</exception>
    /// <exception cref="OperationCanceledException">It did not answer within <paramref name="connectTimeout"/>.</exception>
    /// <exception cref="AuthenticationException">The TLS handshake failed (says why).</exception>
    public static async Task<TensorLink> ConnectAsync(
        string endpoint, string jobId, TimeSpan connectTimeout, TimeSpan sendTimeout, string peer = "", ClusterCertificates? tls = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"tensor endpoint '{endpoint}' is not host:port", nameof(endpoint));
        }

        var client = new TcpClient();
        try
        {
            using var cancel = new CancellationTokenSource(connectTimeout);
            await client.ConnectAsync(endpoint[..colon], port, cancel.Token).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (tls is not null)
            {
                var secure = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = secure;
                var refusal = "";
                try
                {
                    await secure.AuthenticateAsClientAsync(tls.ClientOptions(problem => refusal = problem), cancel.Token).ConfigureAwait(false);
                }
                catch (AuthenticationException e) when (refusal.Length > 0)
                {
                    throw new AuthenticationException($"TLS: refused {endpoint}: {refusal}", e);
                }
            }

            var link = new TensorLink(client, stream, sendTimeout);
            await TensorFrame.WriteHandshakeAsync(link._stream, jobId, peer, cancel.Token).ConfigureAwait(false);
            return link;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes an accepted connection and reads the job id and dialling peer that open it; a peer that has not done so
    /// within <see cref="HandshakeTimeout"/> (TLS included) is cut off. No thread waits meanwhile, so connections that
    /// open and then say nothing cost a socket each, not a thread. Each frame the link sends must be written within
    /// <paramref name="sendTimeout"/>. With <paramref name="tls"/> the peer must first complete mutual TLS with a
    /// certificate of the cluster CA.
    /// </summary>
    /// <exception cref="AuthenticationException">The TLS handshake failed (says why).</exception>
    /// <exception cref="OperationCanceledException">The peer did not open the link in time, or <paramref name="cancellation"/> gave up on it.</exception>
    public static async Task<(TensorLink Link, string JobId, string Peer)> AcceptAsync(
        TcpClient client, TimeSpan sendTimeout, ClusterCertificates? tls = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(HandshakeTimeout);
        Stream stream = client.GetStream();
        try
        {
            if (tls is not null)
            {
                stream = await AuthenticateAsServerAsync(client, tls, deadline.Token).ConfigureAwait(false);
            }

            var (jobId, peer) = await TensorFrame.ReadHandshakeAsync(stream, deadline.Token).ConfigureAwait(false);
            return (new TensorLink(client, stream, sendTimeout), jobId, peer);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw;
        }
    }

    /// <summary>The server side of the TLS handshake on an accepted connection; throws when the peer is refused.</summary>
    private static async Task<SslStream> AuthenticateAsServerAsync(TcpClient client, ClusterCertificates tls, CancellationToken deadline)
    {
        var refusal = "";
        var secure = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await secure.AuthenticateAsServerAsync(tls.ServerOptions(problem => refusal = problem), deadline).ConfigureAwait(false);
            return secure;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            var who = client.Client.RemoteEndPoint?.ToString() ?? "a peer";
            await secure.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(
                refusal.Length > 0 ? $"TLS: refused {who}: {refusal}" : $"TLS: handshake with {who} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Starts the link's threads: the reader reads frames of a tensor of <see cref="TensorBufferPool.ValueCount"/> values
    /// into buffers from <paramref name="buffers"/>, handing each to <paramref name="received"/>; the writer writes what
    /// <see cref="TrySend"/> queues. <paramref name="closed"/> hears once why the link stopped. Unless
    /// <paramref name="acceptSlices"/>, a frame that is not the whole tensor closes the link: θ and a block's sums are
    /// always whole today, and a slice taken for one would be a different tensor.
    /// </summary>
    public void Start(TensorBufferPool buffers, Action<TensorFrameHeader, float[]> received, Action<string> closed, bool acceptSlices = false)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(closed);
        _closed = closed;
        _ = Task.Factory.StartNew(() => ReadFrames(buffers, received, acceptSlices), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _ = WriteFramesAsync();
    }

    /// <summary>
    /// Queues one tensor for the writer without waiting for it. On true, <paramref name="values"/> belongs to the link
    /// until it calls <paramref name="released"/> (once, on the thread that finished the write, this one when the socket
    /// took the frame at once; whether the frame was written or the link closed first). False when the link is closed, or its queue is full, which closes it: the caller keeps the values
    /// and may send them another way.
    /// </summary>
    public bool TrySend(TensorFrameHeader header, ReadOnlyMemory<float> values, Action released, [NotNullWhen(false)] out string? failure)
    {
        ArgumentNullException.ThrowIfNull(released);
        if (header.ValueCount != values.Length)
        {
            throw new ArgumentException($"the header announces {header.ValueCount} values, {values.Length} given", nameof(values));
        }

        if (Volatile.Read(ref _closing) == 0)
        {
            if (_sends.Writer.TryWrite(new PendingSend(header, values, released)))
            {
                failure = null;
                return true;
            }

            // Refused while open: the queue is full (a close in the meantime completes the writer and refuses too).
            Close($"{SendQueueCapacity} frames wait to be sent: the peer does not read");
        }

        failure = _closeReason ?? "the link is closed";
        return false;
    }

    /// <summary>
    /// Queues a copy of <paramref name="values"/> in a buffer from <paramref name="buffers"/>, which goes back to the pool once
    /// written, so the caller may reuse its own memory at once; as <see cref="TrySend"/> otherwise.
    /// </summary>
    public bool TrySendCopy(TensorFrameHeader header, ReadOnlySpan<float> values, TensorBufferPool buffers, [NotNullWhen(false)] out string? failure)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        var copy = buffers.Rent(values.Length);
        values.CopyTo(copy);
        if (TrySend(header, copy, () => buffers.Return(copy), out failure))
        {
            return true;
        }

        buffers.Return(copy);
        return false;
    }

    /// <summary>Closes the connection; the link's threads end, and the writer releases what it still holds.</summary>
    public void Dispose() => Close("closed by its owner");

    private void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }

        _closeReason = reason;
        _sends.Writer.TryComplete();
        _client.Dispose();
        _closed?.Invoke(reason);
    }

    private void ReadFrames(TensorBufferPool buffers, Action<TensorFrameHeader, float[]> received, bool acceptSlices)
    {
        try
        {
            while (TensorFrame.TryReadHeader(_stream, buffers.ValueCount, out var header))
            {
                if (!acceptSlices && !header.IsWhole(buffers.ValueCount))
                {
                    Close($"a frame of values [{header.Offset}, {header.Offset + header.ValueCount}) where whole tensors were expected");
                    return;
                }

                var buffer = buffers.Rent(header.ValueCount);
                TensorFrame.ReadValues(_stream, header, buffer);
                received(header, buffer);
            }

            Close("the other side closed the link");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or SocketException)
        {
            Close(e.Message);
        }
    }

    private async Task WriteFramesAsync()
    {
        while (await _sends.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_sends.Reader.TryRead(out var send))
            {
                if (Volatile.Read(ref _closing) == 0)
                {
                    await WriteAsync(send).ConfigureAwait(false);
                }

                send.Released();
            }
        }
    }

    /// <summary>Writes one frame; a write still going on at the send timeout is cut off by closing the link.</summary>
    private async ValueTask WriteAsync(PendingSend send)
    {
        var header = send.Header;
        using var deadline = new CancellationTokenSource(_sendTimeout);
        using var watchdog = deadline.Token.Register(() => Close(
            $"the frame of step {header.Step} ({TensorFrame.HeaderBytes + (4L * header.ValueCount)} bytes) was not sent within {_sendTimeout}: the peer does not read"));
        try
        {
            TensorFrame.WriteHeader(header, _header);
            await _stream.WriteAsync(_header).ConfigureAwait(false);
            await _stream.WriteAsync(FloatBytes.Of(send.Values)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            Close(e.Message);
        }
    }

    private sealed record PendingSend(TensorFrameHeader Header, ReadOnlyMemory<float> Values, Action Released);
}
