using Backprop.Protocol.V1;

namespace Backprop.Server.Tests.Trainer;

/// <summary>A job accepted is a job kept: a node started again on the same data volume lists every job and finishes the unfinished ones.</summary>
public sealed class TrainerRestartTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-restart-").FullName;

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);

    [Fact]
    public async Task Restart_JobsFinishedQueuedAndRunning_AllListedAndTheUnfinishedComplete()
    {
        string finished, running, queued;
        await using (var first = await TrainerServer.StartAsync(_dataRoot))
        {
            var client = first.Client();
            finished = (await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4, name: "finished"))).JobId;
            await client.WatchToEndAsync(finished);
            running = (await client.SubmitJobAsync(TestJobs.Request(TestJobs.Spirals, epochs: 1000, batchSize: 8, name: "running"))).JobId;
            queued = (await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 2, batchSize: 4, name: "queued"))).JobId;
            Assert.Equal(JobState.Queued, (await client.GetJobAsync(new GetJobRequest { JobId = queued })).Job.State);
        }

        await using var second = await TrainerServer.StartAsync(_dataRoot);
        var again = second.Client();
        var listed = await WaitForJobsAsync(again, 3);
        await again.CancelJobAsync(new CancelJobRequest { JobId = running });
        var queuedEnd = await again.WatchToEndAsync(queued);

        Assert.Equal(["finished", "running", "queued"], listed.Select(job => job.Name));
        Assert.Equal(JobState.Succeeded, listed[0].State);
        Assert.Equal(JobState.Succeeded, queuedEnd[^1].Job.State);
        Assert.NotNull((await again.GetModelAsync(new GetModelRequest { JobId = finished })).Model);
    }

    [Fact]
    public async Task Restart_RunningJobWithCheckpoint_ResumesThereAndEndsWithTheUninterruptedWeights()
    {
        // About 7,500 steps: still running when the first node stops, soon after its first checkpoint.
        var request = TestJobs.Request(TestJobs.Spirals, epochs: 100, batchSize: 8, name: "resumed");
        string jobId;
        JobStatus atStop;
        await using (var first = await TrainerServer.StartAsync(_dataRoot, "Cluster:CheckpointEverySteps=25"))
        {
            var client = first.Client();
            jobId = (await client.SubmitJobAsync(request)).JobId;
            atStop = await WaitForCheckpointAsync(client, jobId);
            var partial = await client.GetModelAsync(new GetModelRequest { JobId = jobId });
            Assert.False(partial.Final);
            Assert.True(partial.Step >= atStop.CheckpointStep);
        }

        // A coordinator alone: the recovered job waits for a worker, so its state can be read before it moves.
        await using var second = await TrainerServer.StartAsync(_dataRoot, "Cluster:CheckpointEverySteps=25", "Cluster:Roles:1=coordinator");
        var again = second.Client();
        var recovered = (await WaitForJobsAsync(again, 1)).Single();
        await using var worker = await Cluster.Hosting.BackpropNode.StartAsync(new Cluster.Hosting.ClusterOptions
        {
            Port = 0,
            Tls = { Enabled = false },
            Roles = [Cluster.Hosting.ClusterRoles.Worker],
            SeedNodes = [second.ClusterAddress],
            WorkerThreads = 1,
        });
        var events = await again.WatchToEndAsync(jobId);
        var model = await again.GetModelAsync(new GetModelRequest { JobId = jobId });

        Assert.True(recovered.CheckpointStep >= atStop.CheckpointStep && recovered.CheckpointStep > 0, $"recovered at checkpoint {recovered.CheckpointStep}");
        Assert.True(recovered.Step < recovered.TotalSteps, "the job had finished before the first node stopped");
        Assert.Equal(recovered.CheckpointStep, recovered.Step);
        var stepsPerEpoch = recovered.TotalSteps / recovered.Epochs;
        Assert.Equal((recovered.Step + stepsPerEpoch - 1) / stepsPerEpoch, recovered.Epoch);
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        Assert.True(model.Final);
        Assert.Equal(TrainerServiceTests.TrainLocally(request, Core.Data.BuiltInDatasets.Load("spirals", request.Training.Seed)).Parameters, Protocol.ModelConverter.ModelFrom(model.Model, "model").Parameters);
    }

    private static async Task<JobStatus> WaitForCheckpointAsync(Protocol.V1.Trainer.TrainerClient client, string jobId)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var job = (await client.GetJobAsync(new GetJobRequest { JobId = jobId })).Job;
            if (job.CheckpointStep > 0)
            {
                return job;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"job {jobId} took no checkpoint");
    }

    private static async Task<List<JobStatus>> WaitForJobsAsync(Protocol.V1.Trainer.TrainerClient client, int count)
    {
        // The stored jobs are listed again as the node starts, in the background.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var jobs = (await client.ListJobsAsync(new ListJobsRequest())).Jobs;
            if (jobs.Count >= count)
            {
                return [.. jobs];
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the restarted node did not list {count} jobs");
    }
}
