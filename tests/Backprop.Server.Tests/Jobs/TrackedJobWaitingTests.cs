using Backprop.Cluster.Jobs;
using Backprop.Core.Training;
using Backprop.Protocol.V1;
using Backprop.Server.Jobs;

namespace Backprop.Server.Tests.Jobs;

public class TrackedJobWaitingTests
{
    private const string JobId = "job-1";

    private static TrackedJob RunningJob()
    {
        var job = new TrackedJob(new JobRecord { JobId = JobId, Status = new JobStatus { JobId = JobId, State = JobState.Queued, TotalSteps = 10 } }, batchSize: 4);
        job.Apply(new JobStarted(JobId));
        return job;
    }

    [Fact]
    public void Apply_WaitingForWorkers_StatusSaysSoWithTheReadyCount()
    {
        var job = RunningJob();

        job.Apply(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 1, NeededWorkers: 2));

        var status = job.Status();
        Assert.Equal(JobState.Running, status.State);
        Assert.Equal("waiting for workers: 1 of 2 ready", status.Waiting);
        Assert.Equal(1, status.ActiveWorkers);
    }

    [Fact]
    public void Apply_StepStalled_StatusNamesTheStepAndWhatIsOutstanding()
    {
        var job = RunningJob();

        job.Apply(new JobStepStalled(JobId, Step: 3, TimeSpan.FromSeconds(300), "worker-a owes leaves [0, 8)"));

        Assert.Equal("step 3 stalled: no result for 300 s, sent again; outstanding: worker-a owes leaves [0, 8)", job.Status().Waiting);
    }

    [Fact]
    public void Apply_StallWhileWaiting_KeepsTheFirstWaitsStart()
    {
        var job = RunningJob();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        job.Apply(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 0, NeededWorkers: 1));
        var since = job.Status().WaitingSinceUnixMs;

        job.Apply(new JobStepStalled(JobId, Step: 0, TimeSpan.FromSeconds(300), "worker-a owes leaves [0, 8)"));

        Assert.InRange(since, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(since, job.Status().WaitingSinceUnixMs);
    }

    [Fact]
    public void Apply_StepAfterWaiting_ClearsTheWait()
    {
        var job = RunningJob();
        job.Apply(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 0, NeededWorkers: 1));

        job.Apply(new JobStepCompleted(JobId, Step: 0, new BatchProgress(1, 1, 3, 0.5), ActiveWorkers: 1));

        Assert.Equal(("", 0L), (job.Status().Waiting, job.Status().WaitingSinceUnixMs));
    }

    [Fact]
    public void Apply_JobFailsWhileWaiting_ClearsTheWaitAndKeepsTheReason()
    {
        var job = RunningJob();
        job.Apply(new JobWaitingForWorkers(JobId, Step: 0, ReadyWorkers: 0, NeededWorkers: 1));

        job.Apply(new JobFailed(JobId, "stalled"));

        Assert.Equal(("", "stalled"), (job.Status().Waiting, job.Status().Reason));
    }
}
