using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Backprop.Tests.Shared;

/// <summary>
/// Stopping and awaiting the node processes tests start (shared by Server.Tests and, linked, MultiHost.Tests):
/// SIGTERM as <c>docker stop</c> and Kubernetes send it, and a bounded wait for the exit code.
/// </summary>
internal static class ChildProcessControl
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM to <paramref name="process"/> (<see cref="Process.Kill()"/> is SIGKILL).</summary>
    public static void Terminate(Process process)
    {
        if (SendSignal(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The exit code of <paramref name="process"/>, waiting at most <paramref name="timeout"/>; the timeout's message ends with <paramref name="transcript"/>.</summary>
    public static async Task<int> WaitForExitAsync(Process process, TimeSpan timeout, string name, Func<string> transcript)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} still ran after {timeout}\n{transcript()}");
        }

        return process.ExitCode;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
