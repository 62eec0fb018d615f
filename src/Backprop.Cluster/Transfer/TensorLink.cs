using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;

namespace Backprop.Cluster.Transfer;

/// <summary>
/// A direct TCP connection between a job's coordinator and one worker that carries θ down and gradient sums
/// up as <see cref="TensorFrame"/>s: one write from the sender's array, one read into the receiver's buffer,
/// none of remoting's copies and thread hand-offs. Control messages stay on Akka; a reader thread hands each
/// received tensor to its actor as a message. One thread writes, one reads.
/// </summary>
public sealed class TensorLink : IDisposable
{
    /// <summary>How long an accepted connection may take to name its job.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private TensorLink(TcpClient client)
    {
        _client = client;
        _client.NoDelay = true;
        _stream = client.GetStream();
    }

    /// <summary>Opens a link to <paramref name="endpoint"/> ("host:port") for job <paramref name="jobId"/>.</summary>
    /// <exception cref="SocketException">The worker cannot be reached.</exception>
    public static TensorLink Connect(string endpoint, string jobId, TimeSpan timeout)
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
            using var cancel = new CancellationTokenSource(timeout);
            client.ConnectAsync(endpoint[..colon], port, cancel.Token).AsTask().GetAwaiter().GetResult();
            var link = new TensorLink(client);
            TensorFrame.WriteJobId(link._stream, jobId);
            return link;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Takes an accepted connection and reads the job id that opens it (a silent peer is cut off after a while).</summary>
    public static (TensorLink Link, string JobId) Accept(TcpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var link = new TensorLink(client);
        try
        {
            client.ReceiveTimeout = (int)HandshakeTimeout.TotalMilliseconds;
            var jobId = TensorFrame.ReadJobId(link._stream);
            client.ReceiveTimeout = 0;
            return (link, jobId);
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    /// <summary>Sends one tensor (blocks until the kernel has taken it).</summary>
    public void Send(TensorFrameHeader header, ReadOnlySpan<float> values) => TensorFrame.Write(_stream, header, values);

    /// <summary>
    /// Sends one tensor, or closes the link and says why when it is broken, so the caller can send the tensor
    /// another way.
    /// </summary>
    public bool TrySend(TensorFrameHeader header, ReadOnlySpan<float> values, [NotNullWhen(false)] out string? failure)
    {
        try
        {
            Send(header, values);
            failure = null;
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Dispose();
            failure = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Reads frames on a thread of its own into buffers from <paramref name="buffers"/>, handing each to
    /// <paramref name="received"/>; <paramref name="closed"/> hears once why reading stopped.
    /// </summary>
    public void StartReading(TensorBufferPool buffers, Action<TensorFrameHeader, float[]> received, Action<string> closed)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(closed);
        _ = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    while (TensorFrame.TryReadHeader(_stream, out var header))
                    {
                        var buffer = buffers.Rent();
                        TensorFrame.ReadValues(_stream, header, buffer);
                        received(header, buffer);
                    }

                    closed("the other side closed the link");
                }
                catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or SocketException)
                {
                    closed(e.Message);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Closes the connection; the reader thread ends.</summary>
    public void Dispose() => _client.Dispose();
}
