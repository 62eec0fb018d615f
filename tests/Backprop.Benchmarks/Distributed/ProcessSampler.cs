using System.Diagnostics;
using System.Globalization;

namespace Backprop.Benchmarks.Distributed;

/// <summary>CPU time used so far by the coordinator (the CLI process) and by all its workers together, at one moment.</summary>
/// <param name="Timestamp">When, in <see cref="Stopwatch"/> ticks.</param>
/// <param name="CoordinatorSeconds">CPU seconds (user + system) of the CLI process.</param>
/// <param name="WorkerSeconds">CPU seconds of every worker process seen so far, summed.</param>
public sealed record CpuMark(long Timestamp, double CoordinatorSeconds, double WorkerSeconds);

/// <summary>
/// Watches one <c>backprop train</c> process from outside while it runs: its <c>backprop worker</c> children
/// (found by parent pid, /proc/&lt;pid&gt;/stat field 4), the CPU time of each (/proc/&lt;pid&gt;/stat utime + stime),
/// and the TCP byte counters of the workers' sockets (<see cref="TcpSocketCounters"/>). It samples every
/// <see cref="Interval"/> and on <see cref="Mark"/>, and keeps each socket's and process's last values, so what a
/// process did before it exited is still counted.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    /// <summary>Time between samples: short enough to see the workers' sockets after the last step and before they close, cheap enough (one <c>ss</c> call) not to disturb a 2-core machine.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>USER_HZ, the unit of /proc/&lt;pid&gt;/stat's CPU times: 100 on every Linux architecture .NET runs on.</summary>
    private const double ClockTicksPerSecond = 100;

    private readonly int _coordinatorPid;
    private readonly bool _countSockets;
    private readonly Lock _lock = new();
    private readonly HashSet<int> _workers = [];
    private readonly Dictionary<int, long> _cpuTicks = [];
    private readonly Dictionary<(int Pid, string Local, string Peer), TcpSocketSample> _sockets = [];
    private readonly Dictionary<string, CpuMark> _marks = [];
    private readonly Dictionary<string, int> _workersWithSocketsAtMark = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts sampling the CLI process <paramref name="coordinatorPid"/>; sockets only if <paramref name="countSockets"/>.</summary>
    public ProcessSampler(int coordinatorPid, bool countSockets)
    {
        _coordinatorPid = coordinatorPid;
        _countSockets = countSockets;
        _loop = Task.Run(Loop);
    }

    /// <summary>Worker processes seen.</summary>
    public int WorkerCount
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>The last counters of every worker socket seen.</summary>
    public IReadOnlyList<TcpSocketSample> Sockets
    {
        get
        {
            lock (_lock)
            {
                return [.. _sockets.Values];
            }
        }
    }

    /// <summary>The CPU marks taken so far, by name.</summary>
    public IReadOnlyDictionary<string, CpuMark> Marks
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, CpuMark>(_marks);
            }
        }
    }

    /// <summary>At mark <paramref name="name"/>, how many workers still had sockets open (so their counters include everything up to then).</summary>
    public int? WorkersWithSocketsAt(string name)
    {
        lock (_lock)
        {
            return _workersWithSocketsAtMark.TryGetValue(name, out var count) ? count : null;
        }
    }

    /// <summary>Samples now and records the CPU times under <paramref name="name"/>.</summary>
    public void Mark(string name)
    {
        lock (_lock)
        {
            var socketsOf = SampleLocked();
            _marks[name] = new CpuMark(Stopwatch.GetTimestamp(), Seconds(_coordinatorPid), _workers.Sum(Seconds));
            _workersWithSocketsAtMark[name] = socketsOf;
        }
    }

    /// <summary>Stops sampling (one last sample first).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task Loop()
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            lock (_lock)
            {
                SampleLocked();
            }
        }
        while (await Tick(timer).ConfigureAwait(false));
    }

    private async Task<bool> Tick(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One sample; returns how many workers had at least one TCP socket in it.</summary>
    private int SampleLocked()
    {
        foreach (var child in ChildrenOf(_coordinatorPid))
        {
            if (!_workers.Contains(child) && IsWorker(child))
            {
                _workers.Add(child);
            }
        }

        foreach (var pid in _workers.Append(_coordinatorPid))
        {
            if (CpuTicks(pid) is { } ticks)
            {
                _cpuTicks[pid] = ticks;
            }
        }

        if (!_countSockets)
        {
            return 0;
        }

        var samples = TcpSocketCounters.Read(_workers);
        foreach (var socket in samples)
        {
            _sockets[(socket.Pid, socket.Local, socket.Peer)] = socket;
        }

        return samples.Select(s => s.Pid).Distinct().Count();
    }

    private double Seconds(int pid) => _cpuTicks.TryGetValue(pid, out var ticks) ? ticks / ClockTicksPerSecond : 0;

    /// <summary>Processes whose parent is <paramref name="parent"/>.</summary>
    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && StatFields(pid) is { } fields && fields.Length > 1
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
            {
                yield return pid;
            }
        }
    }

    /// <summary>Whether <paramref name="pid"/> runs <c>backprop worker</c> (false also while it has not yet exec'd).</summary>
    private static bool IsWorker(int pid)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return arguments.Contains("worker") && arguments.Contains("--join");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>utime + stime of <paramref name="pid"/> (fields 14 and 15 of /proc/&lt;pid&gt;/stat), or null once it has gone.</summary>
    private static long? CpuTicks(int pid) =>
        StatFields(pid) is { Length: > 12 } fields
        && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
        && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? user + system
            : null;

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name (field 3, the state, comes first), or null.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName < 0 ? null : stat[(afterName + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
