using Backprop.Cluster.Security;

namespace Backprop.Cluster.Tests.Security;

public sealed class RefusalReportsTests
{
    [Fact]
    public void ShouldReport_TheFirst_ThenOnePerIntervalWithTheCountInBetween()
    {
        var time = new ManualTime();
        var reports = new RefusalReports(TimeSpan.FromSeconds(10), time);

        Assert.True(reports.ShouldReport(out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 7; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(reports.ShouldReport(out _));
        }

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(reports.ShouldReport(out var later));
        Assert.Equal(7, later);
        Assert.False(reports.ShouldReport(out _));
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
