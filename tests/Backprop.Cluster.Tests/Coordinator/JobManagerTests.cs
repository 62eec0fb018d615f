using Akka.Actor;
using Akka.TestKit.Xunit2;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>The job manager on a cluster-enabled system of its own (not joined: jobs wait for workers that never come).</summary>
public sealed class JobManagerTests : TestKit
{
    public JobManagerTests()
        : base(ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }))
    {
        // The test actor is also the jobs' listener, and jobs without workers say so.
        IgnoreMessages<JobWaitingForWorkers>();
    }

    private static TrainingJob Job(string id)
    {
        var data = BuiltInDatasets.Load(BuiltInDatasets.Xor, seed: 1);
        var spec = NetworkSpec.Create(2, [2], 2, Activation.Tanh, Activation.Softmax);
        var options = new TrainingOptions(LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Sgd, 0.1f), ScheduleKind.Constant, 4, 1, 1);
        return new TrainingJob(id, ParameterInitializer.Initialize(spec, 1), data, options, null);
    }

    [Fact]
    public void Submit_NewJob_IsAccepted()
    {
        var manager = Sys.ActorOf(JobManager.Props(new ClusterOptions { Tls = { Enabled = false } }));

        manager.Tell(new SubmitTrainingJob(Job("a"), TestActor));

        Assert.Equal("a", ExpectMsg<JobAccepted>().JobId);
        Assert.Equal("a", ExpectMsg<JobStarted>().JobId);
    }

    [Fact]
    public void Submit_SameJobIdTwice_SecondIsRefusedAndTheManagerKeepsServing()
    {
        var manager = Sys.ActorOf(JobManager.Props(new ClusterOptions { Tls = { Enabled = false } }));
        manager.Tell(new SubmitTrainingJob(Job("a"), TestActor));
        ExpectMsg<JobAccepted>();
        ExpectMsg<JobStarted>();

        manager.Tell(new SubmitTrainingJob(Job("a"), TestActor));
        var refused = ExpectMsg<Status.Failure>();
        manager.Tell(new SubmitTrainingJob(Job("b"), TestActor));

        Assert.Contains("job a is already queued or running", refused.Cause.Message);
        Assert.Equal("b", ExpectMsg<JobAccepted>().JobId);
    }

    [Fact]
    public void Cancel_QueuedJob_LeavesTheQueueAndItsListenerHears()
    {
        var manager = Sys.ActorOf(JobManager.Props(new ClusterOptions { Tls = { Enabled = false } }));
        var queuedListener = CreateTestProbe();
        manager.Tell(new SubmitTrainingJob(Job("running"), TestActor));
        ExpectMsg<JobAccepted>();
        ExpectMsg<JobStarted>();
        manager.Tell(new SubmitTrainingJob(Job("queued"), queuedListener));
        ExpectMsg<JobAccepted>();

        manager.Tell(new CancelTrainingJob("queued", "by test"));

        Assert.True(ExpectMsg<JobCancelAnswered>().Found);
        Assert.Equal("by test", queuedListener.ExpectMsg<JobCancelled>().Reason);
        queuedListener.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Cancel_RunningJob_StopsItAndStartsTheNext()
    {
        var manager = Sys.ActorOf(JobManager.Props(new ClusterOptions { Tls = { Enabled = false } }));
        var nextListener = CreateTestProbe();
        manager.Tell(new SubmitTrainingJob(Job("running"), TestActor));
        ExpectMsg<JobAccepted>();
        ExpectMsg<JobStarted>();
        manager.Tell(new SubmitTrainingJob(Job("next"), nextListener));
        ExpectMsg<JobAccepted>();

        manager.Tell(new CancelTrainingJob("running", "by test"));

        ExpectMsgAllOf<object>([new JobCancelAnswered("running", true), new JobCancelled("running", "by test")]);
        Assert.Equal("next", nextListener.ExpectMsg<JobStarted>().JobId);
    }

    [Fact]
    public void Cancel_UnknownJob_IsAnsweredNotFound()
    {
        var manager = Sys.ActorOf(JobManager.Props(new ClusterOptions { Tls = { Enabled = false } }));

        manager.Tell(new CancelTrainingJob("nobody", "by test"));

        Assert.False(ExpectMsg<JobCancelAnswered>().Found);
    }
}
