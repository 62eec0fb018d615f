namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// A measurement on network-namespace hosts that takes minutes: run only when asked (<c>BACKPROP_SCALING=1</c>), never in
/// the README's test command; skipped, saying why, otherwise or where namespaces cannot be created.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScalingFactAttribute : FactAttribute
{
    /// <summary>The environment variable that asks for the scaling measurements.</summary>
    public const string Variable = "BACKPROP_SCALING";

    public ScalingFactAttribute()
    {
        Skip = Environment.GetEnvironmentVariable(Variable) == "1"
            ? NamespaceSupport.SkipReason
            : $"a measurement of several minutes: set {Variable}=1 to run it";
    }
}
