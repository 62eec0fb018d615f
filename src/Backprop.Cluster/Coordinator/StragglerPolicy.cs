namespace Backprop.Cluster.Coordinator;

/// <summary>
/// When a worker's outstanding blocks are late enough to be computed by other workers as well: later than
/// <see cref="LateFactor"/> times what they take at the cluster's pace (the median round trip per sample of the
/// job's workers), and never sooner than <see cref="MinimumWait"/>. The first result of a block counts; moving
/// blocks never changes the step's result.
/// </summary>
internal static class StragglerPolicy
{
    /// <summary>How many times its expected time a worker may take before its blocks are sent elsewhere too.</summary>
    public const double LateFactor = 4.0;

    /// <summary>The shortest wait before a speculative re-send: below it, scheduling noise alone would trigger them.</summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(200);

    /// <summary>The median of the measured (positive) round trips per sample; 0 when none is measured.</summary>
    public static double Pace(IEnumerable<double> roundTripsPerSample)
    {
        var measured = roundTripsPerSample.Where(value => value > 0).Order().ToList();
        if (measured.Count == 0)
        {
            return 0;
        }

        var middle = measured.Count / 2;
        return measured.Count % 2 == 1 ? measured[middle] : (measured[middle - 1] + measured[middle]) / 2;
    }

    /// <summary>How long <paramref name="samples"/> may take at <paramref name="pacePerSample"/> seconds each before they count as late.</summary>
    public static TimeSpan Deadline(int samples, double pacePerSample)
    {
        var expected = TimeSpan.FromSeconds(LateFactor * samples * pacePerSample);
        return expected > MinimumWait ? expected : MinimumWait;
    }
}
