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
