using Backprop.Core.Losses;
using Backprop.Core.Optimizers;

namespace Backprop.Core.Training;

/// <summary>Everything about a run except the network and the data.</summary>
/// <param name="Loss">The per-sample loss.</param>
/// <param name="Optimizer">Update rule and its hyper-parameters (base learning rate included).</param>
/// <param name="Schedule">How the learning rate changes over the run.</param>
/// <param name="BatchSize">Samples per minibatch (the last batch of an epoch may be smaller).</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="Seed">Seeds the epoch permutations (and, in the CLI, the initial weights).</param>
/// <param name="Shuffle">Visit samples in a seeded random order each epoch, else in file order.</param>
/// <param name="DecayEveryEpochs">Epochs between step decays of the learning rate.</param>
/// <param name="DecayFactor">Multiplier of each step decay.</param>
/// <param name="Threads">Threads computing each step's gradients; the results are bit-identical for any count.</param>
/// <param name="ShardSize">
/// Rows per micro-shard, the unit of work the cluster distributes: each step sums its gradients per
/// shard and adds the shard sums along a fixed tree (<see cref="GradientTree"/>). Results depend on it,
/// but not on the number of workers or threads.
/// </param>
/// <param name="EarlyStoppingPatience">
/// Stop after this many epochs without a lower validation loss and keep the best epoch's weights (<see cref="EarlyStopping"/>);
/// 0: off. Needs validation data (the split's test part, held out by <c>--validation-split</c>).
/// </param>
public sealed record TrainingOptions(
    LossKind Loss,
    OptimizerSettings Optimizer,
    ScheduleKind Schedule,
    int BatchSize,
    int Epochs,
    int Seed,
    bool Shuffle = true,
    int DecayEveryEpochs = 10,
    float DecayFactor = 0.5f,
    int Threads = 1,
    int ShardSize = TrainingOptions.DefaultShardSize,
    int EarlyStoppingPatience = 0)
{
    /// <summary>The default <see cref="ShardSize"/>, in rows.</summary>
    public const int DefaultShardSize = 64;

    /// <summary>
    /// Throws <see cref="InvalidInputException"/> naming the first bad field. The schedule's own fields are
    /// checked by <see cref="LearningRateSchedule.Validate"/> once the steps per epoch are known.
    /// </summary>
    public void Validate()
    {
        if (BatchSize <= 0)
        {
            throw new InvalidInputException($"--batch-size: must be > 0, got {BatchSize}");
        }

        if (Epochs <= 0)
        {
            throw new InvalidInputException($"--epochs: must be > 0, got {Epochs}");
        }

        if (Threads <= 0)
        {
            throw new InvalidInputException($"--threads: must be > 0, got {Threads}");
        }

        if (ShardSize <= 0)
        {
            throw new InvalidInputException($"--shard-size: must be > 0, got {ShardSize}");
        }

        if (EarlyStoppingPatience < 0)
        {
            throw new InvalidInputException($"--early-stopping: must be ≥ 1 epoch, got {EarlyStoppingPatience}");
        }

        Optimizer.Validate();
    }
}
