using Akka.TestKit.Xunit2;
using Backprop.Cluster.Coordinator;

namespace Backprop.Cluster.Tests.Coordinator;

public sealed class WorkerRosterTests : TestKit
{
    [Fact]
    public void Shares_NothingMeasuredYet_WeighsWorkersByThreads()
    {
        var roster = new WorkerRoster();
        var a = Ready(roster, threads: 4);
        var b = Ready(roster, threads: 1);

        var shares = roster.Shares().ToDictionary(s => s.Worker, s => s.Throughput);

        Assert.Equal(4.0, shares[a.Id]);
        Assert.Equal(1.0, shares[b.Id]);
    }

    [Fact]
    public void Shares_NewWorkerBesideMeasuredOnes_GetsItsThreadsTimesTheMeanSpeedPerThread()
    {
        var roster = new WorkerRoster();
        var measured = Ready(roster, threads: 2);
        measured.RecordThroughput(samples: 1000, seconds: 0.01);
        var joining = Ready(roster, threads: 4);

        var shares = roster.Shares().ToDictionary(s => s.Worker, s => s.Throughput);

        Assert.Equal(100_000.0, shares[measured.Id], 6);
        Assert.Equal(200_000.0, shares[joining.Id], 6);
    }

    [Fact]
    public void Shares_WorkerUnreachable_IsLeftOutUntilReachableAgain()
    {
        var roster = new WorkerRoster();
        var reachable = Ready(roster, threads: 1);
        var cutOff = Ready(roster, threads: 1);

        cutOff.Reachable = false;
        var during = roster.Shares().Select(s => s.Worker).ToList();
        var readyDuring = roster.ReadyCount;
        cutOff.Reachable = true;

        Assert.Equal([reachable.Id], during);
        Assert.Equal(1, readyDuring);
        Assert.False(roster.IsReady(cutOff.Id) && during.Contains(cutOff.Id));
        Assert.Equal(2, roster.Shares().Count);
    }

    [Fact]
    public void Shares_WorkerNotReady_IsLeftOut()
    {
        var roster = new WorkerRoster();
        var ready = Ready(roster, threads: 1);
        Assert.True(roster.Add(CreateTestProbe().Ref));

        Assert.Equal([ready.Id], roster.Shares().Select(s => s.Worker));
        Assert.Equal(1, roster.ReadyCount);
    }

    [Fact]
    public void Add_SameActorTwice_SecondIsRefused()
    {
        var roster = new WorkerRoster();
        var probe = CreateTestProbe().Ref;

        Assert.True(roster.Add(probe));
        Assert.False(roster.Add(probe));
    }

    private JobWorker Ready(WorkerRoster roster, int threads)
    {
        var probe = CreateTestProbe().Ref;
        Assert.True(roster.Add(probe));
        var worker = roster[probe.Path.ToString()];
        worker.Ready = true;
        worker.Threads = threads;
        return worker;
    }
}
