namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// One simulated host: a network namespace whose only link, <see cref="Interface"/>, is one end of a veth pair; the
/// other end, <see cref="SwitchPort"/>, is a port of the bridge in the switch namespace.
/// </summary>
/// <param name="Namespace">The network namespace (<c>ip netns exec</c> runs a program in it).</param>
/// <param name="Address">The host's IPv4 address on the switch's /24.</param>
/// <param name="Interface">The host's end of its veth pair, inside <paramref name="Namespace"/>.</param>
/// <param name="SwitchNamespace">The namespace of the bridge.</param>
/// <param name="SwitchPort">The switch's end of the pair, inside <paramref name="SwitchNamespace"/>.</param>
internal sealed record NamespaceHost(string Namespace, string Address, string Interface, string SwitchNamespace, string SwitchPort)
{
    /// <summary>Runs <paramref name="file"/> inside this host's namespace and throws unless it succeeds.</summary>
    public string Exec(string file, params string[] arguments) => Shell.Check("ip", ["netns", "exec", Namespace, file, .. arguments]);

    /// <summary>Runs <paramref name="file"/> inside the switch's namespace and throws unless it succeeds.</summary>
    public string ExecOnSwitch(string file, params string[] arguments) => Shell.Check("ip", ["netns", "exec", SwitchNamespace, file, .. arguments]);

    /// <summary>Bytes the host has received and sent over its link so far (its switch port's counters, mirrored).</summary>
    public (long Received, long Sent) Traffic()
    {
        long Counter(string name) => long.Parse(ExecOnSwitch("cat", $"/sys/class/net/{SwitchPort}/statistics/{name}").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return (Received: Counter("tx_bytes"), Sent: Counter("rx_bytes"));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Namespace} ({Address})";
}
