using System.CommandLine;
using Backprop.Core.Training;

namespace Backprop.Cli.Train;

/// <summary>The flags of <c>backprop train</c> and their defaults (users' scripts depend on these names).</summary>
internal sealed class TrainFlags
{
    public Option<string> Data { get; } = new("--data") { Description = "Built-in dataset (mnist, xor, spirals), a CSV or Parquet file, or an IDX directory", DefaultValueFactory = _ => "mnist" };
    public Option<string?> TestData { get; } = new("--test-data") { Description = "Held-out CSV or Parquet file or IDX directory (default: the data's own test split)" };
    public TableFlags Table { get; } = new();
    public Option<double?> ValidationSplit { get; } = new("--validation-split") { Description = "Hold out this seeded, stratified fraction of the training data, reported as the test loss and accuracy" };
    public Option<bool> Standardize { get; } = new("--standardize") { Description = "Standardize each feature by the training data's mean and deviation; the model keeps the transform", DefaultValueFactory = _ => false };
    public Option<string> Hidden { get; } = new("--hidden") { Description = "Hidden layer sizes, comma separated; 'none' for no hidden layer", DefaultValueFactory = _ => "256,128" };
    public Option<string> Activation { get; } = new("--activation") { Description = "Hidden activation: sigmoid, tanh, relu, identity", DefaultValueFactory = _ => "relu" };
    public Option<string> OutputActivation { get; } = new("--output-activation") { Description = "Output activation: sigmoid, tanh, relu, identity, softmax", DefaultValueFactory = _ => "softmax" };
    public Option<string> Loss { get; } = new("--loss") { Description = "mse or cross-entropy (categorical on softmax, binary on sigmoid outputs)", DefaultValueFactory = _ => "cross-entropy" };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "sgd, momentum or adam", DefaultValueFactory = _ => "adam" };
    public Option<float> LearningRate { get; } = new("--lr") { Description = "Base learning rate", DefaultValueFactory = _ => 0.001f };
    public Option<float> Momentum { get; } = new("--momentum") { Description = "Momentum coefficient (momentum optimizer)", DefaultValueFactory = _ => 0.9f };
    public Option<bool> Nesterov { get; } = new("--nesterov") { Description = "Nesterov form of momentum", DefaultValueFactory = _ => false };
    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "L2 weight decay λ", DefaultValueFactory = _ => 0f };
    public Option<string> Schedule { get; } = new("--schedule") { Description = "Learning-rate schedule: constant, step or cosine", DefaultValueFactory = _ => "cosine" };
    public Option<int> DecayEpochs { get; } = new("--lr-decay-epochs") { Description = "step schedule: epochs between decays", DefaultValueFactory = _ => 10 };
    public Option<float> DecayFactor { get; } = new("--lr-decay-factor") { Description = "step schedule: multiplier per decay", DefaultValueFactory = _ => 0.5f };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Samples per minibatch", DefaultValueFactory = _ => 32 };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => 15 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the initial weights and the epoch order", DefaultValueFactory = _ => 1 };
    public Option<bool> Shuffle { get; } = new("--shuffle") { Description = "Seeded random order each epoch (false: file order)", DefaultValueFactory = _ => true };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads computing the gradients (default: one per 128 samples of a batch, at most one per core; results are bit-identical for any count)" };
    public Option<int> ShardSize { get; } = new("--shard-size") { Description = "Rows per micro-shard, the unit of work the cluster distributes (results depend on it, not on threads or workers)", DefaultValueFactory = _ => TrainingOptions.DefaultShardSize };
    public Option<string?> InitModel { get; } = new("--init-model") { Description = "Start from this model JSON (its architecture and weights)" };
    public Option<int?> Workers { get; } = new("--workers") { Description = "Train on a local cluster: this process coordinates, N worker processes compute (results are bit-identical to training in-process)" };
    public Option<bool> Plaintext { get; } = new("--plaintext") { Description = "With --workers: the local cluster without TLS (any user of this machine could join it)" };
    public Option<string?> Out { get; } = new("--out") { Description = "Write the trained model JSON here" };
    public Option<int?> EarlyStopping { get; } = new("--early-stopping") { Description = "Stop after N epochs without a lower validation loss and keep the best epoch's weights (needs --validation-split)" };
    public Option<string?> MetricsOut { get; } = new("--metrics-out") { Description = "Write the final metrics (accuracy, per-class precision/recall/F1, confusion matrix; or RMSE, MAE, R²) as JSON here" };

    /// <summary>All flags, in help order.</summary>
    public IEnumerable<Option> All =>
    [
        Data, TestData, ValidationSplit, EarlyStopping, .. Table.All, Standardize, Hidden, Activation, OutputActivation, Loss, Optimizer, LearningRate, Momentum,
        Nesterov, WeightDecay, Schedule, DecayEpochs, DecayFactor, BatchSize, Epochs, Seed, Shuffle, Threads, ShardSize, Workers, Plaintext, InitModel, Out, MetricsOut,
    ];

    /// <summary>The flags of a job trained elsewhere (<c>backprop submit</c>): all but those about this machine and its files.</summary>
    public IEnumerable<Option> Job => All.Except([TestData, Threads, Workers, Plaintext, Out, MetricsOut]);

    /// <summary>The flags that define an architecture, which <c>--init-model</c> fixes instead.</summary>
    public IEnumerable<Option> Architecture => [Hidden, Activation, OutputActivation];
}
