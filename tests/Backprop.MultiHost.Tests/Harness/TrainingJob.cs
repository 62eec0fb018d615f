using System.Globalization;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// The flags of one training job on a built-in dataset (by default the spirals, 600 samples; or the embedded MNIST
/// digits, 8,000 for training), the same for <c>backprop train</c> (the undisturbed reference) and <c>backprop submit</c>.
/// A batch of 256 in shards of 32 gives every one of three workers blocks in each step.
/// </summary>
internal sealed record TrainingJob(int Epochs, int Seed = 1, string Hidden = "16,16", int BatchSize = 256, int ShardSize = 32, string Data = "spirals")
{
    /// <summary>Training samples of the dataset.</summary>
    private int Samples => Data == "mnist" ? 8000 : 600;

    /// <summary>Steps of the whole job (the last batch of an epoch is smaller).</summary>
    public int TotalSteps => Epochs * ((Samples + BatchSize - 1) / BatchSize);

    /// <summary>The flags shared by <c>train</c> and <c>submit</c>.</summary>
    public string[] Flags() =>
    [
        "--data", Data, "--hidden", Hidden, "--lr", "0.01",
        "--batch-size", Invariant(BatchSize), "--shard-size", Invariant(ShardSize),
        "--epochs", Invariant(Epochs), "--seed", Invariant(Seed),
    ];

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
