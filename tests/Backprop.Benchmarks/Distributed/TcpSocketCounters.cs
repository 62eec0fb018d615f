using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Backprop.Benchmarks.Distributed;

/// <summary>The byte counters of one TCP socket, as the kernel keeps them (tcp_info).</summary>
/// <param name="Pid">Process holding the socket.</param>
/// <param name="Local">Local address:port.</param>
/// <param name="Peer">Peer address:port.</param>
/// <param name="BytesSent">Payload bytes sent (tcpi_bytes_sent; tcpi_bytes_acked on kernels without it).</param>
/// <param name="BytesReceived">Payload bytes received (tcpi_bytes_received).</param>
public sealed record TcpSocketSample(int Pid, string Local, string Peer, long BytesSent, long BytesReceived);

/// <summary>
/// Reads the kernel's per-socket TCP byte counters with <c>ss -tinpH</c> (iproute2, sock_diag): the payload
/// bytes that crossed each socket, whatever system call moved them.
/// </summary>
/// <remarks>
/// Why not <c>/proc/&lt;pid&gt;/io</c>: its <c>rchar</c>/<c>wchar</c> count only read/write-family calls, and .NET
/// sockets use send/recv/sendmsg/recvmsg, which it never sees. A worker that moved 120 MB over its socket in 64
/// steps showed rchar 268,660 and wchar 313 (its start-up file reads), while its socket's tcp_info showed
/// 60,277,081 bytes sent and 60,354,844 received.
/// </remarks>
public static partial class TcpSocketCounters
{
    /// <summary>Whether <c>ss</c> could be run (false after it failed to start once).</summary>
    public static bool Available { get; private set; } = true;

    /// <summary>Every TCP socket (any state but listening) held by one of <paramref name="pids"/>, with its counters.</summary>
    public static List<TcpSocketSample> Read(IReadOnlySet<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        if (!Available || pids.Count == 0)
        {
            return [];
        }

        string text;
        try
        {
            var start = new ProcessStartInfo("ss", ["-tinpH"]) { RedirectStandardOutput = true, UseShellExecute = false };
            using var ss = Process.Start(start)!;
            text = ss.StandardOutput.ReadToEnd();
            ss.WaitForExit();
        }
        catch (Win32Exception)
        {
            Available = false;
            return [];
        }

        return Parse(text, pids);
    }

    /// <summary>
    /// Parses <c>ss -tinpH</c>: per socket, a line <c>STATE RECV-Q SEND-Q LOCAL PEER users:(("name",pid=N,fd=M))</c>
    /// followed by an indented line of tcp_info fields such as <c>bytes_sent:123 bytes_received:456</c>.
    /// </summary>
    public static List<TcpSocketSample> Parse(string text, IReadOnlySet<int> pids)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pids);
        var samples = new List<TcpSocketSample>();
        (int Pid, string Local, string Peer)? socket = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]))
            {
                socket = null;
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var owner = OwnerPid().Match(line);
                if (fields.Length >= 5 && owner.Success && int.TryParse(owner.Groups[1].Value, CultureInfo.InvariantCulture, out var pid) && pids.Contains(pid))
                {
                    socket = (pid, Endpoint(fields[3]), Endpoint(fields[4]));
                }

                continue;
            }

            if (socket is { } s)
            {
                var sent = Counter(line, "bytes_sent") ?? Counter(line, "bytes_acked") ?? 0;
                var received = Counter(line, "bytes_received") ?? 0;
                samples.Add(new TcpSocketSample(s.Pid, s.Local, s.Peer, sent, received));
                socket = null;
            }
        }

        return samples;
    }

    /// <summary>
    /// An endpoint as IPv4 sockets show it: .NET's TcpClient dials from a dual-mode IPv6 socket, which ss shows as
    /// "[::ffff:127.0.0.1]:port", while the IPv4 listener's end shows its peer as "127.0.0.1:port".
    /// </summary>
    private static string Endpoint(string field)
    {
        var mapped = MappedIPv4().Match(field);
        return mapped.Success ? $"{mapped.Groups[1].Value}:{mapped.Groups[2].Value}" : field;
    }

    private static long? Counter(string line, string name)
    {
        var match = Regex.Match(line, $@"\b{name}:(\d+)", RegexOptions.CultureInvariant);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^\[::ffff:([0-9.]+)\]:(\d+)$")]
    private static partial Regex MappedIPv4();

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex OwnerPid();
}
