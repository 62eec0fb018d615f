using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// TCP sockets that belong to a host's network namespace, made in this process: a thread of its own enters the
/// namespace (<c>setns</c>, which moves only the calling thread) and creates them there, and a socket stays in the
/// namespace it was made in, whichever thread uses it later. So a test can open connections from any simulated host
/// without a process per connection.
/// </summary>
internal static class NamespaceSockets
{
    private const int NewNetworkNamespace = 0x40000000; // CLONE_NEWNET

    /// <summary>A TCP socket (IPv4) of <paramref name="host"/>'s namespace, not yet connected.</summary>
    public static Socket Create(NamespaceHost host)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{host.Namespace}");
                if (SetNamespace((int)handle.DangerousGetHandle(), NewNetworkNamespace) != 0)
                {
                    throw new IOException($"setns({host.Namespace}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"no socket in {host.Namespace}", failure);
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNamespace(int fd, int type);
}
