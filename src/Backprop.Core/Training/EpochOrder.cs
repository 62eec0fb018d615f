namespace Backprop.Core.Training;

/// <summary>
/// The order in which an epoch visits the training samples. Derived from (seed, epoch) alone, so a
/// resumed or distributed run can rebuild any epoch's order without carrying RNG state.
/// </summary>
public static class EpochOrder
{
    /// <summary>Sample indices of epoch <paramref name="epoch"/> (0-based): a seeded Fisher–Yates shuffle, or 0..count−1.</summary>
    public static int[] For(int seed, int epoch, int count, bool shuffle)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (!shuffle)
        {
            return order;
        }

        // Seeded System.Random is a fixed algorithm, stable across runs and platforms (HashCode is not:
        // it is randomised per process, so it must never feed a seed).
        var random = new Random(unchecked((seed * 1_000_003) + epoch));
        for (var i = count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
