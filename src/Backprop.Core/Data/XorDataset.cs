namespace Backprop.Core.Data;

/// <summary>
/// The four XOR points: inputs (0,0), (0,1), (1,0), (1,1) with classes 0, 1, 1, 0 as two one-hot targets.
/// The test split is the same four points (in their own arrays).
/// </summary>
public static class XorDataset
{
    /// <summary>The training and test sets, each the four points.</summary>
    public static DatasetSplit Load() => new(Create("xor:train"), Create("xor:test"));

    private static Dataset Create(string name)
    {
        int[] labels = [0, 1, 1, 0];
        float[] features = [0, 0, 0, 1, 1, 0, 1, 1];
        return new Dataset(name, 2, 2, features, OneHotEncoder.Encode(labels, 2), labels);
    }
}
