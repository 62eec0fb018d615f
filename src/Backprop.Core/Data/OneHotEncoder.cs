namespace Backprop.Core.Data;

/// <summary>Turns class labels into one-hot target rows.</summary>
internal static class OneHotEncoder
{
    /// <summary>
    /// Row-major [labels × <paramref name="classCount"/>] targets with a 1 in each label's column.
    /// The caller has checked every label is in 0..<paramref name="classCount"/> − 1.
    /// </summary>
    public static float[] Encode(ReadOnlySpan<int> labels, int classCount)
    {
        var targets = new float[labels.Length * classCount];
        for (var i = 0; i < labels.Length; i++)
        {
            targets[(i * classCount) + labels[i]] = 1f;
        }

        return targets;
    }
}
