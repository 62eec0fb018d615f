using Backprop.Cluster.Jobs;
using Backprop.Cluster.Tests.Transfer;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

/// <summary>
/// The small job that coordinator tests drive with test probes standing in for workers: eight samples, one step per
/// epoch, one leaf per sample (two workers get one block of four leaves each), 50 epochs of SGD.
/// </summary>
internal static class ProbedJob
{
    private static readonly DatasetSplit Data = new(DatasetShipping.RandomDataset(seed: 1, count: 8, inputSize: 2, targetSize: 1), null);

    private static readonly TrainingOptions Options = new(
        LossKind.MeanSquaredError, new OptimizerSettings(OptimizerKind.Sgd, 0.1f), ScheduleKind.Constant, BatchSize: 8, Epochs: 50, Seed: 3, ShardSize: 1);

    /// <summary>Job <paramref name="jobId"/> of a network of <paramref name="spec"/> with seeded initial weights.</summary>
    public static TrainingJob Create(string jobId, NetworkSpec spec) =>
        new(jobId, ParameterInitializer.Initialize(spec, seed: 2), Data, Options, Source: null);
}
