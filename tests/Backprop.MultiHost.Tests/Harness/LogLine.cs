namespace Backprop.MultiHost.Tests.Harness;

/// <summary>A line of a <see cref="HostProcess"/>'s log and its index there.</summary>
internal sealed record LogLine(int Index, string Text)
{
    /// <summary>The index of the line after this one, where a wait for what follows starts.</summary>
    public int Next => Index + 1;
}
