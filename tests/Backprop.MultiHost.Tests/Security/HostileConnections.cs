using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Security;

/// <summary>A port to aim at: <paramref name="Address"/>:<paramref name="Port"/> as seen from <paramref name="From"/>'s namespace.</summary>
internal sealed record HostilePort(string Name, NamespaceHost From, string Address, int Port);

/// <summary>What one kind of hostile connection did to one port: how many were opened, and how many the node closed in time.</summary>
internal sealed record HostileTally(string Port, string Case, int Connections, int ClosedByNode)
{
    public override string ToString() => $"{Port,-28} {Case,-34} {Connections,5} connections, {ClosedByNode,5} closed by the node";
}

/// <summary>
/// Connections a stranger (or a holder of a cluster certificate, for what lies behind TLS) opens to a node's port:
/// random bytes, oversized length prefixes, truncated openings and half-open connections that say nothing. Each case
/// counts the connections the node closed within <see cref="CloseWait"/>.
/// </summary>
internal static class HostileConnections
{
    /// <summary>How long a node may take to close a connection it cannot use (the tensor link's handshake timeout is 10 s).</summary>
    public static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(20);

    /// <summary><paramref name="count"/> connections that each send 1 B to 64 KiB of random bytes.</summary>
    public static Task<HostileTally> RandomBytesAsync(HostilePort port, int count, Random random) =>
        RunAsync(port, "random bytes", count, async stream =>
        {
            var bytes = new byte[random.Next(1, 65_537)];
            random.NextBytes(bytes);
            await stream.WriteAsync(bytes);
        });

    /// <summary>
    /// <paramref name="count"/> connections whose first length field announces far more than any message may hold: a TLS
    /// record of 65,535 bytes (over TLS's limit of 16 KiB + 2 KiB), or on the gRPC port an HTTP/2 frame of 16 MiB.
    /// </summary>
    public static Task<HostileTally> OversizedLengthAsync(HostilePort port, int count, bool http2) =>
        RunAsync(port, "oversized length prefix", count, async stream =>
        {
            byte[] opening = http2
                ? [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]
                : [0x16, 0x03, 0x03, 0xFF, 0xFF];
            await stream.WriteAsync(opening);
        });

    /// <summary>
    /// <paramref name="count"/> connections that start a valid-looking opening and stop halfway, holding the connection
    /// open: a TLS record header announcing 512 bytes followed by 100, or half of HTTP/2's connection preface.
    /// </summary>
    public static Task<HostileTally> TruncatedAsync(HostilePort port, int count, bool http2) =>
        RunAsync(port, "truncated opening, then silence", count, async stream =>
        {
            byte[] opening = http2 ? [.. "PRI * HTTP/2.0\r\n"u8] : [0x16, 0x03, 0x01, 0x02, 0x00, .. new byte[100]];
            await stream.WriteAsync(opening);
        });

    /// <summary><paramref name="count"/> connections that say nothing at all (slowloris).</summary>
    public static Task<HostileTally> SilentAsync(HostilePort port, int count) =>
        RunAsync(port, "half-open, silent", count, _ => Task.CompletedTask);

    /// <summary>
    /// A holder of a cluster certificate on a tensor link port: after TLS, <paramref name="opening"/> (a handshake with an
    /// absurd length, or one naming a job followed by a frame the job cannot take).
    /// </summary>
    public static Task<HostileTally> BehindTlsAsync(HostilePort port, string name, int count, X509Certificate2 certificate, byte[] opening) =>
        RunAsync(port, name, count, async stream =>
        {
            var secure = new SslStream(stream, leaveInnerStreamOpen: true);
            await secure.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "backprop",
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            await secure.WriteAsync(opening);
            await secure.FlushAsync();
            return secure;
        });

    /// <summary>A tensor link handshake: the job id and the dialling peer, each an int32 length (little-endian) and UTF-8.</summary>
    public static byte[] Handshake(int jobIdLength, string jobId, string peer)
    {
        var job = System.Text.Encoding.UTF8.GetBytes(jobId);
        var dialler = System.Text.Encoding.UTF8.GetBytes(peer);
        var bytes = new byte[8 + job.Length + dialler.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, jobIdLength);
        job.CopyTo(bytes, 4);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + job.Length), dialler.Length);
        dialler.CopyTo(bytes, 8 + job.Length);
        return bytes;
    }

    /// <summary>A 60-byte tensor frame header of step 1 announcing <paramref name="valueCount"/> values (no values follow).</summary>
    public static byte[] FrameHeader(int valueCount)
    {
        var header = new byte[60];
        BinaryPrimitives.WriteInt64LittleEndian(header, 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), valueCount);
        return header;
    }

    private static Task<HostileTally> RunAsync(HostilePort port, string name, int count, Func<NetworkStream, Task> open) =>
        RunAsync(port, name, count, async stream =>
        {
            await open(stream);
            return stream;
        });

    /// <summary>Opens <paramref name="count"/> connections at once, each as <paramref name="open"/> says, then waits for the node to close each.</summary>
    private static async Task<HostileTally> RunAsync(HostilePort port, string name, int count, Func<NetworkStream, Task<Stream>> open)
    {
        var closed = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var socket = NamespaceSockets.Create(port.From);
            try
            {
                await socket.ConnectAsync(IPAddress.Parse(port.Address), port.Port);
                await using var network = new NetworkStream(socket, ownsSocket: false);
                await using var stream = await open(network);
                return await ClosedByNodeAsync(stream);
            }
            catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                // Refused or reset while the opening was under way: the node cut it off.
                return true;
            }
        }));
        return new HostileTally(port.Name, name, count, closed.Count(c => c));
    }

    /// <summary>Reads until the node ends the connection (true) or <see cref="CloseWait"/> has passed (false).</summary>
    private static async Task<bool> ClosedByNodeAsync(Stream stream)
    {
        using var deadline = new CancellationTokenSource(CloseWait);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
                // Whatever the node answers (a TLS alert, an HTTP/2 GOAWAY) comes before it closes.
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return true;
        }
    }
}
