using Backprop.Cli.Remote;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

public class WatchLinesTests
{
    private static readonly JobStatus Job = new() { JobId = "job-1", Epochs = 3 };

    [Fact]
    public void Epoch_NoTestPart_PrintsOnlyTheTrainLoss() =>
        Assert.Equal("epoch 2/3  train loss 0.2500  (1.0 s)", WatchLines.Epoch(Job, new EpochFinished { Epoch = 2, TrainLoss = 0.25f, Seconds = 1 }));

    [Fact]
    public void Epoch_RealValuedTargets_PrintsTestLossWithoutAccuracy() =>
        Assert.Equal(
            "epoch 2/3  train loss 0.2500  test loss 0.5000  (1.0 s)",
            WatchLines.Epoch(Job, new EpochFinished { Epoch = 2, TrainLoss = 0.25f, TestLoss = 0.5f, Seconds = 1 }));

    [Fact]
    public void Epoch_EarlyStoppingBestEpoch_MarksItBest() =>
        Assert.Equal(
            "epoch 2/3  train loss 0.2500  test loss 0.5000  best  (1.0 s)",
            WatchLines.Epoch(Job, new EpochFinished { Epoch = 2, TrainLoss = 0.25f, TestLoss = 0.5f, Seconds = 1, BestEpoch = 2 }));

    [Fact]
    public void Epoch_EarlyStoppingStops_SaysWhichEpochTheModelKeeps() =>
        Assert.Equal(
            "epoch 3/3  train loss 0.2500  test loss 0.7000  early stop: the model keeps epoch 1's weights  (1.0 s)",
            WatchLines.Epoch(Job, new EpochFinished { Epoch = 3, TrainLoss = 0.25f, TestLoss = 0.7f, Seconds = 1, BestEpoch = 1, Stops = true }));

    [Fact]
    public void Waiting_NoReadyWorker_SaysSo() =>
        Assert.Equal("job job-1 waiting for workers: 0 of 2 ready", WatchLines.Waiting(Job, new Waiting { Reason = "waiting for workers: 0 of 2 ready" }));

    [Fact]
    public void Current_RunningJobThatWaits_ShowsWhyAndSinceWhenNotJustRunning() =>
        Assert.EndsWith(
            "running: epoch 0/3, step 0/0, 0 workers, waiting for workers: 0 of 2 ready (since 12:04:31 UTC)",
            WatchLines.Current(new JobStatus
            {
                JobId = "job-1",
                Epochs = 3,
                State = JobState.Running,
                Waiting = "waiting for workers: 0 of 2 ready",
                WaitingSinceUnixMs = new DateTimeOffset(2026, 12, 3, 12, 4, 31, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            }));
}
