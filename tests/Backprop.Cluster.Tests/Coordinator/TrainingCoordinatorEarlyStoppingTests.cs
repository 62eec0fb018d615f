using Backprop.Cluster.Jobs;
using Backprop.Cluster.Tests.Hosting;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Metrics;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>Early stopping on the cluster: the same epoch, the same kept weights as the single-process trainer.</summary>
public sealed class TrainingCoordinatorEarlyStoppingTests
{
    private const int Epochs = 8;

    private static readonly TrainingOptions Options = new(
        LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Adam, 0.01f), ScheduleKind.Cosine, BatchSize: 40, Epochs, Seed: 5, ShardSize: 8,
        EarlyStoppingPatience: 2);

    /// <summary>
    /// The spirals, validated on their own training points labelled with the next arm: the better the network learns the
    /// arms, the worse its validation loss, so the job stops early.
    /// </summary>
    private static readonly DatasetSplit MislabelledValidation = CreateMislabelledValidation();

    private static DatasetSplit CreateMislabelledValidation()
    {
        var spirals = BuiltInDatasets.Load(BuiltInDatasets.Spirals, seed: 3);
        var train = spirals.Train;
        var classes = train.TargetSize;
        var labels = train.Labels!.Select(label => (label + 1) % classes).ToArray();
        var targets = new float[labels.Length * classes];
        for (var i = 0; i < labels.Length; i++)
        {
            targets[(i * classes) + labels[i]] = 1;
        }

        return spirals with { Test = new Dataset("spirals (next arm)", train.InputSize, classes, train.Features, targets, labels) };
    }

    private static Network NewNetwork()
    {
        var spec = NetworkSpec.Create(2, [16, 12], 3, Activation.Tanh, Activation.Softmax);
        return ParameterInitializer.Initialize(spec, seed: 9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Job_WithEarlyStopping_StopsAfterTheSameEpochWithTheSameWeightsAsSingleProcess(int workers)
    {
        var network = NewNetwork();
        var copy = new Network(network.Spec, (float[])network.Parameters.Clone());
        List<EpochReport> expectedReports;
        using (var trainer = new Trainer(copy, MislabelledValidation, Options))
        {
            expectedReports = [.. trainer.Run()];
        }

        await using var cluster = await LocalCluster.StartAsync(workers);

        var events = await JobRun.OnClusterAsync(cluster, network, MislabelledValidation, Options);

        var reports = events.OfType<JobEpochCompleted>().Select(e => e.Report).ToList();
        Assert.InRange(reports.Count, 1, Epochs - 1); // it did stop early
        Assert.Equal(expectedReports.Select(r => (r.Epoch, r.TrainLoss, r.Test, r.Stopping)), reports.Select(r => (r.Epoch, r.TrainLoss, r.Test, r.Stopping)));
        Assert.Equal(copy.Parameters, JobRun.FinalParameters(events));
        var metrics = Assert.IsType<JobSucceeded>(events[^1]).Metrics!.Classification!;
        var expectedMetrics = ModelMetrics.Evaluate(copy, MislabelledValidation.Test!).Classification!;
        Assert.Equal((expectedMetrics.Accuracy, expectedMetrics.MacroF1), (metrics.Accuracy, metrics.MacroF1));
    }

    [Fact]
    public async Task Job_WithEarlyStoppingResumedAfterTheBestEpoch_KeepsTheSameBestWeights()
    {
        var network = NewNetwork();
        await using var cluster = await LocalCluster.StartAsync(2, checkpointEverySteps: 7);
        var uninterrupted = await JobRun.OnClusterAsync(cluster, network, MislabelledValidation, Options);
        // The last checkpoint comes after the best epoch (the job stops Patience epochs after it), so the best weights
        // it carries are the only copy of them.
        var checkpoint = uninterrupted.OfType<JobCheckpointed>().Last().Checkpoint;
        Assert.True(checkpoint.Stopping is { BestEpoch: > 0 }, "the checkpoint holds early stopping's best epoch");

        var resumed = await JobRun.OnClusterAsync(cluster, network, MislabelledValidation, Options, resumeFrom: checkpoint);

        Assert.Equal(JobRun.FinalParameters(uninterrupted), JobRun.FinalParameters(resumed));
        Assert.Equal(
            uninterrupted.OfType<JobEpochCompleted>().Last().Report.Stopping,
            resumed.OfType<JobEpochCompleted>().Last().Report.Stopping);
    }
}
