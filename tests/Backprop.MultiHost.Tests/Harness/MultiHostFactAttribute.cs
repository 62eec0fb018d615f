namespace Backprop.MultiHost.Tests.Harness;

/// <summary>A test that needs network namespaces: skipped, saying why, where they cannot be created.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MultiHostFactAttribute : FactAttribute
{
    public MultiHostFactAttribute()
    {
        Skip = NamespaceSupport.SkipReason;
    }
}
