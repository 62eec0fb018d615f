using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Backprop.Tests.Shared;

namespace Backprop.Server.Tests;

/// <summary>
/// The real <c>backprop-server</c> executable in a child process (<c>dotnet backprop-server.dll</c>, the copy next to
/// the tests), with its own environment variables; killed on dispose if it still runs.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly List<(string Fragment, TaskCompletionSource<string> Found)> _waiters = [];

    private ServerProcess(Process process) => _process = process;

    /// <summary>The process's id (<c>dotnet</c> runs the server in its own process).</summary>
    public int Id => _process.Id;

    /// <summary>Everything the process wrote to stdout so far.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Everything the process wrote to stderr so far.</summary>
    public string Error
    {
        get
        {
            lock (_gate)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts the server with <paramref name="environment"/> on top of this process's variables, less any
    /// <c>Cluster__</c> and <c>ASPNETCORE_</c> ones.</summary>
    public static ServerProcess Start(IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "backprop-server.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var key in start.Environment.Keys.Where(IsServerSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        // Plaintext unless the test sets TLS up (ServerTlsProcessTests), chosen the way a user chooses it.
        start.Environment["Cluster__Tls__Enabled"] = "false";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data, server._output);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data, server._error);
        process.Exited += (_, _) => server.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>A TCP port nothing listens on right now (for a seed node, which needs a fixed port).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The first stdout line containing <paramref name="fragment"/>, waiting for it at most <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(string fragment, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var line = _output.ToString().Split('\n').FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited before printing '{fragment}'\n{Transcript()}");
            }

            _waiters.Add((fragment, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{fragment}' within {timeout}\n{Transcript()}");
        }
    }

    /// <summary>Sends SIGTERM, as <c>docker stop</c> and Kubernetes do (<see cref="Process.Kill()"/> is SIGKILL).</summary>
    public void Terminate() => ChildProcessControl.Terminate(_process);

    /// <summary>The exit code, waiting at most <paramref name="timeout"/> for the process to end.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => ChildProcessControl.WaitForExitAsync(_process, timeout, "the server", Transcript);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
    }

    private static bool IsServerSetting(string variable) =>
        variable.StartsWith("Cluster__", StringComparison.OrdinalIgnoreCase)
        || variable.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase);


    private void OnLine(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            stream.Append(line).Append('\n');
            if (stream != _output)
            {
                return;
            }

            foreach (var waiter in _waiters.Where(w => line.Contains(w.Fragment, StringComparison.Ordinal)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    private void OnExited()
    {
        // Drain the redirected streams, then fail whoever still waits for a line.
        _process.WaitForExit();
        lock (_gate)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Found.TrySetException(new InvalidOperationException($"the server exited before printing '{waiter.Fragment}'\n{Transcript()}"));
            }

            _waiters.Clear();
        }
    }

    private string Transcript() => $"--- stdout\n{Output}--- stderr\n{Error}";
}
