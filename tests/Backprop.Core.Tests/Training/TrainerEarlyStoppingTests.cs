using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public sealed class TrainerEarlyStoppingTests
{
    private const int Epochs = 40;

    private static readonly TrainingOptions Options = new(
        LossKind.CrossEntropy, new OptimizerSettings(OptimizerKind.Sgd, 0.02f), ScheduleKind.Constant, BatchSize: 8, Epochs, Seed: 3, EarlyStoppingPatience: 3);

    /// <summary>
    /// Two separable blobs, and validation samples from the same blobs with 30% of their labels flipped: its cross-entropy
    /// falls while the classifier's confidence rises to 70%, then rises as it grows more confident. The validation loss
    /// therefore has a minimum a few epochs in, which early stopping must find.
    /// </summary>
    private static DatasetSplit NoisyValidation()
    {
        var random = new Random(7);
        Dataset Blobs(string name, int count, double flipped)
        {
            var features = new float[count * 2];
            var targets = new float[count * 2];
            var labels = new int[count];
            for (var i = 0; i < count; i++)
            {
                var side = i % 2;
                features[2 * i] = (side == 0 ? 1 : -1) + (float)((random.NextDouble() - 0.5) * 0.5);
                features[(2 * i) + 1] = (float)(random.NextDouble() - 0.5);
                labels[i] = i % 10 < flipped * 10 ? 1 - side : side;
                targets[(2 * i) + labels[i]] = 1;
            }

            return new Dataset(name, 2, 2, features, targets, labels);
        }

        return new DatasetSplit(Blobs("blobs", 64, flipped: 0), Blobs("blobs (validation)", 40, flipped: 0.3));
    }

    private static Network NewNetwork() => ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Identity, Activation.Softmax), seed: 1);

    [Fact]
    public void Run_ValidationLossRises_StopsPatienceEpochsAfterTheBestEpoch()
    {
        using var trainer = new Trainer(NewNetwork(), NoisyValidation(), Options);

        var reports = trainer.Run().ToList();

        var losses = reports.Select(r => r.Test!.MeanLoss).ToList();
        var best = losses.IndexOf(losses.Min()) + 1;
        Assert.True(best >= 2 && best <= Epochs - 4, string.Join(" ", losses)); // the case is what it claims: the loss fell, then rose long enough to stop
        Assert.Equal(best + Options.EarlyStoppingPatience, reports.Count);
        Assert.All(reports, r => Assert.Equal(losses.Take(r.Epoch).ToList().IndexOf(losses.Take(r.Epoch).Min()) + 1, r.Stopping!.BestEpoch));
        Assert.Equal(reports.Select(r => r.Epoch == reports.Count), reports.Select(r => r.Stopping!.Stops));
    }

    [Fact]
    public void Run_StoppedEarly_LeavesTheBestEpochsWeights()
    {
        var network = NewNetwork();
        using var trainer = new Trainer(network, NoisyValidation(), Options);
        var snapshots = new List<float[]>();
        var (bestEpoch, lastEpoch) = (0, 0);

        foreach (var report in trainer.Run())
        {
            snapshots.Add((float[])network.Parameters.Clone());
            (bestEpoch, lastEpoch) = (report.Stopping!.BestEpoch, report.Epoch);
        }

        // The snapshot after the last report is already the kept model; the ones before are each epoch's own weights.
        Assert.True(lastEpoch > bestEpoch);
        Assert.Equal(snapshots[bestEpoch - 1], network.Parameters);
        Assert.NotEqual(snapshots[^2], network.Parameters);
    }

    [Fact]
    public void Run_WithoutEarlyStopping_TrainsEveryEpochAndKeepsTheLastWeights()
    {
        using var trainer = new Trainer(NewNetwork(), NoisyValidation(), Options with { EarlyStoppingPatience = 0 });

        var reports = trainer.Run().ToList();

        Assert.Equal(Epochs, reports.Count);
        Assert.All(reports, r => Assert.Null(r.Stopping));
    }

    [Fact]
    public void Run_BestEpochIsTheLast_KeepsTheLastWeights()
    {
        // Clean validation data: the loss falls every epoch, so no stop and the last epoch is the best.
        var clean = NoisyValidation() with { Test = NoisyValidation().Train };
        var network = NewNetwork();
        var plain = NewNetwork();
        using (var trainer = new Trainer(network, clean, Options with { Epochs = 5 }))
        using (var reference = new Trainer(plain, clean, Options with { Epochs = 5, EarlyStoppingPatience = 0 }))
        {
            Assert.Equal(5, trainer.Run().Count());
            Assert.Equal(5, reference.Run().Count());
        }

        Assert.Equal(plain.Parameters, network.Parameters);
    }

    [Fact]
    public void Constructor_EarlyStoppingWithoutValidationData_NamesBothFlags()
    {
        var data = NoisyValidation() with { Test = null };

        var error = Assert.Throws<InvalidInputException>(() => new Trainer(NewNetwork(), data, Options));

        Assert.StartsWith("--early-stopping: ", error.Message);
        Assert.Contains("--validation-split", error.Message);
    }

    [Fact]
    public void Validate_NegativePatience_NamesTheFlag() =>
        Assert.Equal(
            "--early-stopping: must be ≥ 1 epoch, got -1",
            Assert.Throws<InvalidInputException>(() => (Options with { EarlyStoppingPatience = -1 }).Validate()).Message);
}
