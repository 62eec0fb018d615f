using Backprop.Cluster.Jobs;
using Backprop.Core.Losses;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using JobRecord = Backprop.Protocol.V1.JobRecord;
using JobState = Backprop.Protocol.V1.JobState;
using JobStatus = Backprop.Protocol.V1.JobStatus;
using Backprop.Server.Jobs;

namespace Backprop.Server.Tests.Jobs;

public sealed class TrackedJobTests
{
    [Fact]
    public void RestoreProgress_CheckpointAtEveryStepOfThreeEpochs_MatchesWhatTheStepEventsLeft()
    {
        // 10 samples in batches of 4: epochs of 3 steps, the last one short.
        var options = new TrainingOptions(LossKind.MeanSquaredError, new OptimizerSettings(OptimizerKind.Sgd, 0.1f), ScheduleKind.Constant, BatchSize: 4, Epochs: 3, Seed: 1);
        var cursor = new StepCursor(options, sampleCount: 10);
        var live = new TrackedJob(new JobRecord { JobId = "job-1", Status = new JobStatus { State = JobState.Running } }, options.BatchSize);
        double lossSum = 0;
        var samples = 0;
        while (!cursor.IsFinished)
        {
            var batch = cursor.BatchIndices().Length;
            lossSum += 0.5 * batch * (cursor.Step + 1);
            samples += batch;
            live.Apply(new JobStepCompleted("job-1", cursor.Step, new BatchProgress(cursor.Epoch + 1, cursor.Batch + 1, cursor.BatchesPerEpoch, lossSum / samples), 1));
            if (cursor.IsLastBatchOfEpoch)
            {
                // As the coordinator does: a checkpoint at an epoch's start carries no loss.
                (lossSum, samples) = (0, 0);
            }

            cursor.Advance();
            var restored = new JobStatus();
            TrackedJob.RestoreProgress(restored, new JobCheckpoint(cursor.Step, [], new OptimizerState(cursor.Step, []), lossSum, samples), cursor.BatchesPerEpoch);

            var expected = live.Status();
            Assert.Equal(expected.Step, restored.Step);
            Assert.Equal(cursor.Step, restored.CheckpointStep);
            Assert.Equal(expected.Epoch, restored.Epoch);
            Assert.Equal(samples > 0 ? expected.TrainLoss : 0, restored.TrainLoss);
        }
    }

    [Fact]
    public void RestoreProgress_CheckpointAtTheFirstStep_EpochZero()
    {
        var restored = new JobStatus();

        TrackedJob.RestoreProgress(restored, new JobCheckpoint(0, [], new OptimizerState(0, []), 0, 0), batchesPerEpoch: 3);

        Assert.Equal(0, restored.Epoch);
        Assert.Equal(0, restored.Step);
    }
}
