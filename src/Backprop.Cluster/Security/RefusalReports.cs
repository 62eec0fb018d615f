namespace Backprop.Cluster.Security;

/// <summary>
/// Which refused connections to report: the first, then at most one per <paramref name="interval"/> with the count of
/// those not reported in between, so that a stranger opening connections cannot fill the log. Thread-safe.
/// </summary>
public sealed class RefusalReports(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private long _lastReported = long.MinValue;
    private int _notReported;

    /// <summary>Whether to report this refusal; <paramref name="notReported"/> is how many were not reported since the last report.</summary>
    public bool ShouldReport(out int notReported)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_lastReported != long.MinValue && _time.GetElapsedTime(_lastReported, now) < interval)
            {
                _notReported++;
                notReported = 0;
                return false;
            }

            _lastReported = now;
            notReported = _notReported;
            _notReported = 0;
            return true;
        }
    }
}
