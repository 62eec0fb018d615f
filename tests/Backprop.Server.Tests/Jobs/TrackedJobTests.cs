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

    [Fact]
    public void Apply_JobStoppedEarly_KeepsItsStepTheBestEpochAndTheMetrics()
    {
        var job = new TrackedJob(new JobRecord { JobId = "job-1", Status = new JobStatus { State = JobState.Running, Epochs = 10, TotalSteps = 30 } }, 4);
        var network = new Backprop.Core.Model.Network(Backprop.Core.Model.NetworkSpec.Create(1, [], 1, Backprop.Core.Model.Activation.Identity, Backprop.Core.Model.Activation.Identity), [1, 0]);

        job.Apply(new JobStepCompleted("job-1", 11, new BatchProgress(4, 3, 3, 0.5), 1));
        job.Apply(new JobEpochCompleted("job-1", new EpochReport(4, 0.5, new Evaluation(0.9, 0.5), TimeSpan.FromSeconds(1), 10, new EarlyStoppingReport(2, 0.7, Stops: true))));
        var metrics = new Backprop.Core.Metrics.ModelMetrics("data", null, new Backprop.Core.Metrics.RegressionMetrics(5, 0.5, 0.25, 0.9));
        job.Apply(new JobSucceeded("job-1", network, metrics));

        var status = job.Status();
        Assert.Equal(("test", 0.9), (status.Metrics.EvaluatedOn, status.Metrics.Regression.R2));
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal(2, status.BestEpoch);
        Assert.Equal(4, status.Epoch);
        Assert.NotEqual(status.TotalSteps, status.Step);
    }

    [Fact]
    public void RestoreProgress_CheckpointWithEarlyStopping_RestoresTheBestEpoch()
    {
        var restored = new JobStatus();

        TrackedJob.RestoreProgress(restored, new JobCheckpoint(6, [], new OptimizerState(6, []), 0, 0, new EarlyStoppingCheckpoint(1, 0.4, [])), batchesPerEpoch: 3);

        Assert.Equal(1, restored.BestEpoch);
    }
}
