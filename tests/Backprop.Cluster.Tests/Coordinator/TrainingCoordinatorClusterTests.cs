using Backprop.Cluster.Jobs;
using Backprop.Cluster.Tests.Hosting;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

public sealed class TrainingCoordinatorClusterTests
{
    private static readonly DatasetSplit Spirals = BuiltInDatasets.Load(BuiltInDatasets.Spirals, seed: 3);

    private static TrainingOptions Options(int shardSize = 8) => new(
        LossKind.CrossEntropy,
        new OptimizerSettings(OptimizerKind.Adam, 0.01f),
        ScheduleKind.Cosine, BatchSize: 40, Epochs: 2, Seed: 5, ShardSize: shardSize);

    private static Network NewNetwork()
    {
        var spec = NetworkSpec.Create(Spirals.Train.InputSize, [16, 12], Spirals.Train.TargetSize, Activation.Tanh, Activation.Softmax);
        return ParameterInitializer.Initialize(spec, seed: 9);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public async Task Job_OnWorkers_EqualsSingleProcessTrainerBitForBit(int workers, bool directTensorLinks)
    {
        var network = NewNetwork();
        var expected = JobRun.InProcess(network, Spirals, Options());
        await using var cluster = await LocalCluster.StartAsync(workers, directTensorLinks: directTensorLinks);

        var events = await JobRun.OnClusterAsync(cluster, network, Spirals, Options());

        Assert.Equal(expected, JobRun.FinalParameters(events));
        Assert.Equal(2, events.OfType<JobEpochCompleted>().Count());
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(3, 8)]
    [InlineData(3, 1)]
    public async Task Job_ReducedAmongWorkers_EqualsSingleProcessTrainerBitForBit(int workers, int shardSize)
    {
        var network = NewNetwork();
        var expected = JobRun.InProcess(network, Spirals, Options(shardSize));
        await using var cluster = await LocalCluster.StartAsync(workers, collectiveMinBytes: 0);

        var events = await JobRun.OnClusterAsync(cluster, network, Spirals, Options(shardSize));

        Assert.Equal(expected, JobRun.FinalParameters(events));
        // The first step is reduced by every worker (no one can be late before anyone is measured); later ones by every
        // worker not late lately, which on a busy machine may leave fewer.
        Assert.Equal(workers, events.OfType<JobStepCompleted>().First().SliceOwners);
    }

    [Fact]
    public async Task Job_ResumedFromEachCheckpoint_EqualsTheUninterruptedRunBitForBit()
    {
        var network = NewNetwork();
        await using var cluster = await LocalCluster.StartAsync(2, checkpointEverySteps: 7);
        var uninterrupted = await JobRun.OnClusterAsync(cluster, network, Spirals, Options());
        var checkpoints = uninterrupted.OfType<JobCheckpointed>().Select(c => c.Checkpoint).ToList();

        // One checkpoint in the first epoch, one at the start of the second, one mid-way through it.
        var steps = checkpoints.Select(c => c.Step).ToList();
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => i * 7L), steps);
        foreach (var checkpoint in new[] { checkpoints[0], checkpoints[^1] })
        {
            var resumed = await JobRun.OnClusterAsync(cluster, network, Spirals, Options(), resumeFrom: checkpoint);

            Assert.Equal(JobRun.FinalParameters(uninterrupted), JobRun.FinalParameters(resumed));
            Assert.Equal(
                uninterrupted.OfType<JobEpochCompleted>().Last().Report.TrainLoss,
                resumed.OfType<JobEpochCompleted>().Last().Report.TrainLoss);
            Assert.Equal(checkpoint.Step, resumed.OfType<JobStepCompleted>().First().Step);
        }
    }

    [Fact]
    public async Task Job_WorkerTensorLinkPortTaken_TrainsOverChunksWithTheSameWeights()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var network = NewNetwork();
        await using var cluster = await LocalCluster.StartAsync(1, tensorLinkPort: port);

        var events = await JobRun.OnClusterAsync(cluster, network, Spirals, Options());

        Assert.Equal(JobRun.InProcess(network, Spirals, Options()), JobRun.FinalParameters(events));
    }
}
