namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// The faults the tests inject, each confined to one host's namespace (or its port on the switch): a process killed,
/// a host cut off by its own firewall, a host's link slowed by a token bucket. Each has its undo.
/// </summary>
internal static class Faults
{
    /// <summary>Bandwidth of a slowed link, each way.</summary>
    public const string SlowRate = "2mbit";

    /// <summary>Bucket depth of a slowed link (about one MTU-sized burst at a time).</summary>
    private const string SlowBurst = "16kbit";

    /// <summary>How long a packet may wait in a slowed link's queue before it is dropped.</summary>
    private const string SlowLatency = "500ms";

    /// <summary>kill -9 of <paramref name="process"/> and its children.</summary>
    public static void Kill(HostProcess process) => process.Kill();

    /// <summary>Drops every packet into and out of <paramref name="host"/>'s link (iptables in its namespace, INPUT and OUTPUT).</summary>
    public static void Partition(NamespaceHost host)
    {
        host.Exec("iptables", ["-I", "INPUT", .. DropRule(host, "-i")]);
        host.Exec("iptables", ["-I", "OUTPUT", .. DropRule(host, "-o")]);
    }

    /// <summary>Removes the rules of <see cref="Partition"/>.</summary>
    public static void Heal(NamespaceHost host)
    {
        host.Exec("iptables", ["-D", "INPUT", .. DropRule(host, "-i")]);
        host.Exec("iptables", ["-D", "OUTPUT", .. DropRule(host, "-o")]);
    }

    /// <summary>
    /// Slows <paramref name="host"/>'s link both ways to <paramref name="rate"/> (tc tbf on the egress of its veth end,
    /// and of the switch's end, which is the host's ingress; netem is not in this kernel). A fast rate needs a deeper
    /// <paramref name="burst"/>: at least the bytes the rate gives per kernel tick.
    /// </summary>
    public static void SlowLink(NamespaceHost host, string rate = SlowRate, string burst = SlowBurst)
    {
        string[] bucket = ["root", "tbf", "rate", rate, "burst", burst, "latency", SlowLatency];
        host.Exec("tc", ["qdisc", "add", "dev", host.Interface, .. bucket]);
        host.ExecOnSwitch("tc", ["qdisc", "add", "dev", host.SwitchPort, .. bucket]);
    }

    /// <summary>Removes the token buckets of <see cref="SlowLink"/>.</summary>
    public static void RestoreLink(NamespaceHost host)
    {
        host.Exec("tc", "qdisc", "del", "dev", host.Interface, "root");
        host.ExecOnSwitch("tc", "qdisc", "del", "dev", host.SwitchPort, "root");
    }

    private static string[] DropRule(NamespaceHost host, string direction) => [direction, host.Interface, "-j", "DROP"];
}
