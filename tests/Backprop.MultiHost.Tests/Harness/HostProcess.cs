using System.Diagnostics;
using Backprop.Tests.Shared;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// A .NET program (<c>dotnet some.dll …</c>) running inside a host's network namespace through
/// <c>ip netns exec</c>, which becomes that program (no shell in between, so a signal reaches it). Its stdout and
/// stderr go, line by line, to one log that tests wait on; it is killed on dispose if it still runs.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    /// <summary>Lines of the log that a failed wait quotes.</summary>
    private const int TranscriptLines = 150;

    /// <summary>Variables of the test process that would configure the child behind the test's back.</summary>
    private static readonly string[] OwnSettingPrefixes = ["Cluster__", "Trainer__", "ASPNETCORE_", "Kestrel__", "BACKPROP_"];

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, int From, TaskCompletionSource<LogLine> Found)> _waiters = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private HostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>What the test calls this process (e.g. "worker 2"), for messages.</summary>
    public string Name { get; }

    /// <summary>The process id (that of the .NET program: <c>ip netns exec</c> replaced itself with it).</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Completes with the exit code when the process ends, whoever ended it.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>
    /// Whether the test ended the process itself (<see cref="Kill"/>, <see cref="Terminate"/>, dispose): the emulated
    /// restart policy leaves it alone, as docker's does a container stopped by hand.
    /// </summary>
    public bool StoppedByTest { get; private set; }

    /// <summary>Lines logged so far (stdout and stderr together); a wait can start from this index.</summary>
    public int LineCount
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Everything logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c> inside <paramref name="host"/>'s
    /// namespace, in <paramref name="workingDirectory"/>, with <paramref name="environment"/> on top of this process's
    /// variables (less any that configure a node or the client).
    /// </summary>
    public static HostProcess Start(
        string name, NamespaceHost host, string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])["netns", "exec", host.Namespace, "dotnet", dll, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(IsOwnSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var hosted = new HostProcess(name, process);
        process.OutputDataReceived += (_, e) => hosted.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => hosted.OnLine(e.Data);
        process.Exited += (_, _) => hosted.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return hosted;
    }

    /// <summary>The first line from index <paramref name="fromLine"/> on containing <paramref name="fragment"/>, waiting at most <paramref name="timeout"/>.</summary>
    public Task<LogLine> WaitForLineAsync(string fragment, TimeSpan timeout, int fromLine = 0) =>
        WaitForLineAsync(line => line.Contains(fragment, StringComparison.Ordinal), $"'{fragment}'", timeout, fromLine);

    /// <summary>The first line from index <paramref name="fromLine"/> on that <paramref name="match"/> accepts, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<LogLine> WaitForLineAsync(Func<string, bool> match, string description, TimeSpan timeout, int fromLine = 0)
    {
        var found = new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            for (var index = fromLine; index < _lines.Count; index++)
            {
                if (match(_lines[index]))
                {
                    return new LogLine(index, _lines[index]);
                }
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited before logging {description}\n{Transcript()}");
            }

            _waiters.Add((match, fromLine, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} logged no line with {description} within {timeout}\n{Transcript()}");
        }
    }

    /// <summary>Kills the process at once (SIGKILL, as <c>kill -9</c>), with any children.</summary>
    public void Kill()
    {
        StoppedByTest = true;
        _process.Kill(entireProcessTree: true);
    }

    /// <summary>Sends SIGTERM, as a supervisor stopping it would (<see cref="Kill"/> is SIGKILL).</summary>
    public void Terminate()
    {
        StoppedByTest = true;
        ChildProcessControl.Terminate(_process);
    }

    /// <summary>The exit code, waiting at most <paramref name="timeout"/> for the process to end.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => ChildProcessControl.WaitForExitAsync(_process, timeout, Name, Transcript);

    /// <summary>The last <paramref name="count"/> lines of the log, headed by the name.</summary>
    public string Tail(int count)
    {
        lock (_gate)
        {
            return $"--- {Name} (last {Math.Min(count, _lines.Count)} of {_lines.Count} lines)\n{string.Join('\n', _lines.TakeLast(count))}";
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StoppedByTest = true;
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        _process.Dispose();
    }

    private static bool IsOwnSetting(string variable) =>
        OwnSettingPrefixes.Any(prefix => variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));


    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            var index = _lines.Count - 1;
            foreach (var waiter in _waiters.Where(w => index >= w.From && w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(new LogLine(index, line));
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
                waiter.Found.TrySetException(new InvalidOperationException($"{Name} exited (code {_process.ExitCode}) before logging the line awaited\n{Transcript()}"));
            }

            _waiters.Clear();
        }

        _exited.TrySetResult(_process.ExitCode);
    }

    private string Transcript() => Tail(TranscriptLines);
}
