using System.Diagnostics;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// A private Ethernet segment of simulated hosts: a "switch" namespace holding a bridge, and for each host a network
/// namespace joined to it by a veth pair, addressed 10.200.<c>k</c>.<c>i</c>/24. Everything lives inside namespaces
/// this class created (the root namespace's interfaces, routes and firewall are never touched), and
/// <see cref="Dispose"/> removes all of it, ending any process still running inside.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    /// <summary>Every namespace of this test process starts with this, e.g. <c>bp4711-3</c>; the pid tells a stale one.</summary>
    public static readonly string Prefix = $"bp{Environment.ProcessId}";

    private const string Bridge = "br0";
    private const string HostInterface = "eth0";
    private const int MaxHosts = 250;

    private static readonly Lazy<bool> Swept = new(SweepStaleNamespaces);
    private static int s_networks;

    private readonly List<string> _namespaces = [];
    private readonly List<NamespaceHost> _hosts = [];
    private readonly int _subnet;
    private readonly string _switch;

    /// <summary>Creates the switch namespace and its bridge (after removing what crashed earlier runs left behind).</summary>
    public NetworkNamespaces()
    {
        _ = Swept.Value;
        var network = Interlocked.Increment(ref s_networks);
        _subnet = network % 256;
        _switch = NewNamespace($"{network}-sw");
        Shell.Check("ip", "-n", _switch, "link", "add", Bridge, "type", "bridge");
        Shell.Check("ip", "-n", _switch, "link", "set", Bridge, "up");
    }

    /// <summary>The hosts added so far.</summary>
    public IReadOnlyList<NamespaceHost> Hosts => _hosts;

    /// <summary>Adds a host namespace, plugged into the bridge, with the next address (10.200.k.1, .2, …).</summary>
    public NamespaceHost AddHost()
    {
        var index = _hosts.Count + 1;
        if (index > MaxHosts)
        {
            throw new InvalidOperationException($"at most {MaxHosts} hosts per network");
        }

        var name = NewNamespace($"{_subnet}-h{index}");
        var port = $"port{index}";
        var address = $"10.200.{_subnet}.{index}";
        // Both ends are created inside namespaces: the switch's end in the switch, its peer moved into the host at once.
        Shell.Check("ip", "-n", _switch, "link", "add", port, "type", "veth", "peer", "name", HostInterface, "netns", name);
        Shell.Check("ip", "-n", _switch, "link", "set", port, "master", Bridge, "up");
        Shell.Check("ip", "-n", name, "addr", "add", $"{address}/24", "dev", HostInterface);
        Shell.Check("ip", "-n", name, "link", "set", HostInterface, "up");
        var host = new NamespaceHost(name, address, HostInterface, _switch, port);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Ends every process left in the namespaces and deletes them (their veths and the bridge go with them).</summary>
    public void Dispose()
    {
        foreach (var name in Enumerable.Reverse(_namespaces))
        {
            Remove(name);
        }

        _namespaces.Clear();
    }

    private string NewNamespace(string suffix)
    {
        var name = $"{Prefix}-{suffix}";
        Remove(name);
        Shell.Check("ip", "netns", "add", name);
        _namespaces.Add(name);
        Shell.Check("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private static void Remove(string name)
    {
        var pids = Shell.Run("ip", "netns", "pids", name);
        foreach (var pid in pids.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Shell.Run("kill", "-9", pid);
        }

        Shell.Run("ip", "netns", "delete", name);
    }

    /// <summary>
    /// Best effort: deletes the namespaces of earlier runs of these tests whose process is gone (a crashed or killed
    /// test host), with anything still running in them. Namespaces of test processes still alive are left alone.
    /// </summary>
    private static bool SweepStaleNamespaces()
    {
        var listed = Shell.Run("ip", "netns", "list");
        foreach (var line in listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (OwnerPid(name) is { } pid && pid != Environment.ProcessId && !IsRunning(pid))
            {
                Remove(name);
            }
        }

        return true;
    }

    /// <summary>The test process that created <paramref name="name"/> (<c>bp&lt;pid&gt;-…</c>), or null for a name not of that form.</summary>
    private static int? OwnerPid(string name)
    {
        if (!name.StartsWith("bp", StringComparison.Ordinal))
        {
            return null;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash > 2 && int.TryParse(name.AsSpan(2, dash - 2), out var pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
