namespace Backprop.Core.Data;

/// <summary>
/// The datasets that ship with the trainer, by name: <c>mnist</c> (<see cref="MnistDataset"/>),
/// <c>xor</c> (<see cref="XorDataset"/>) and <c>spirals</c> (<see cref="SpiralDataset"/>).
/// Names are exact and lower-case.
/// </summary>
public static class BuiltInDatasets
{
    /// <summary>Name of the MNIST subset.</summary>
    public const string Mnist = "mnist";

    /// <summary>Name of the XOR points.</summary>
    public const string Xor = "xor";

    /// <summary>Name of the interleaved spirals.</summary>
    public const string Spirals = "spirals";

    /// <summary>All names, in the order help texts list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Mnist, Xor, Spirals];

    /// <summary>Whether <paramref name="name"/> is a built-in dataset.</summary>
    public static bool IsBuiltIn(string name) => name is Mnist or Xor or Spirals;

    /// <summary>Loads the named dataset; <paramref name="seed"/> matters only to generated data (spirals).</summary>
    /// <exception cref="InvalidInputException"><paramref name="name"/> is not a built-in dataset.</exception>
    public static DatasetSplit Load(string name, int seed) => name switch
    {
        Mnist => MnistDataset.Load(),
        Xor => XorDataset.Load(),
        Spirals => SpiralDataset.Load(seed),
        _ => throw new InvalidInputException($"'{name}' is not a built-in dataset ({string.Join(", ", Names)})"),
    };
}
