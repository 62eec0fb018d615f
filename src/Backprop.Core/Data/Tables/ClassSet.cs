namespace Backprop.Core.Data.Tables;

/// <summary>
/// The classes of a label column: K classes numbered 0..K−1, and their names when the labels were written as names
/// (sorted ordinally, so class k is the k-th name).
/// </summary>
/// <param name="Count">K, the number of classes.</param>
/// <param name="Names">The class names in class order; null for labels written as the class numbers.</param>
public sealed record ClassSet(int Count, IReadOnlyList<string>? Names)
{
    /// <summary>The classes of labelled training data, for reading its test data with the same classes.</summary>
    public static ClassSet? Of(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return train.Labels is null ? null : new ClassSet(train.TargetSize, train.LabelNames);
    }
}
