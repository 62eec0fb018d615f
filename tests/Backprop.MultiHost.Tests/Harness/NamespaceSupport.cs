namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// Whether this machine lets the tests create network namespaces, veth pairs, a bridge, iptables rules and tc qdiscs
/// (root on Linux with iproute2 and iptables). Probed once per test run by building and removing a namespace.
/// </summary>
internal static class NamespaceSupport
{
    private static readonly Lazy<string?> Probe = new(FindMissing);

    /// <summary>Why the multi-host tests cannot run here, or null when they can.</summary>
    public static string? SkipReason => Probe.Value;

    private static string? FindMissing()
    {
        const string Skipped = "multi-host tests skipped: ";
        if (!OperatingSystem.IsLinux())
        {
            return Skipped + "network namespaces exist on Linux only";
        }

        if (Environment.UserName != "root")
        {
            return Skipped + $"creating network namespaces needs root (running as {Environment.UserName})";
        }

        var name = $"{NetworkNamespaces.Prefix}-probe";
        try
        {
            foreach (var (file, arguments) in ProbeCommands(name))
            {
                var result = Shell.Run(file, arguments);
                if (!result.Succeeded)
                {
                    return Skipped + $"`{file} {string.Join(' ', arguments)}` failed: {result.Error.Trim()}";
                }
            }

            return null;
        }
        finally
        {
            Shell.Run("ip", "netns", "delete", name);
        }
    }

    /// <summary>One of each thing the harness does, inside a throwaway namespace.</summary>
    private static IEnumerable<(string File, string[] Arguments)> ProbeCommands(string name)
    {
        yield return ("ip", ["netns", "add", name]);
        yield return ("ip", ["-n", name, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"]);
        yield return ("ip", ["-n", name, "link", "add", "probebr", "type", "bridge"]);
        yield return ("ip", ["netns", "exec", name, "iptables", "-A", "INPUT", "-i", "probe0", "-j", "DROP"]);
        yield return ("ip", ["netns", "exec", name, "tc", "qdisc", "add", "dev", "probe0", "root", "tbf", "rate", "1mbit", "burst", "32kbit", "latency", "100ms"]);
    }
}
