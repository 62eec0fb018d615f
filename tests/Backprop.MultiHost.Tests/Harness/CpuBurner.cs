using System.Diagnostics;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// Processes that only burn CPU (a shell loop each), as another tenant of a busy machine would; killed on dispose.
/// </summary>
internal sealed class CpuBurner : IDisposable
{
    private readonly List<Process> _loops = [];

    /// <summary>Starts <paramref name="processes"/> busy loops.</summary>
    public CpuBurner(int processes)
    {
        for (var i = 0; i < processes; i++)
        {
            var start = new ProcessStartInfo("sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("while :; do :; done");
            _loops.Add(Process.Start(start) ?? throw new InvalidOperationException("sh did not start"));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Kill();
            loop.WaitForExit(5_000);
            loop.Dispose();
        }
    }
}
