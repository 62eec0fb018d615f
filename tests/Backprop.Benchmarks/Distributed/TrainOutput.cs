using System.Globalization;
using System.Text.RegularExpressions;

namespace Backprop.Benchmarks.Distributed;

/// <summary>One epoch line of <c>backprop train</c>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Results">The losses and accuracy as printed (bit-identical runs print the same text).</param>
/// <param name="Seconds">Wall time of the epoch's training steps, as printed.</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch, as printed.</param>
public sealed record EpochLine(int Epoch, int Epochs, string Results, double Seconds, double SamplesPerSecond);

/// <summary>
/// What the plain (redirected) output of <c>backprop train</c> says, line by line:
/// <code>
/// training 784-256(relu)-128(relu)-10(softmax) (235,146 parameters) on mnist:train: 8,000 train / 2,000 test samples
/// loss cross-entropy, optimizer adam lr 0.001, batch 512, 4 epochs, seed 1
/// epoch 1/4  train loss 1.2945  test loss 0.6005  test accuracy 84.05%  (0.4 s, 20,664 samples/s)
/// ...
/// test accuracy: 90.40%
/// </code>
/// The formats are those of <c>src/Backprop.Cli/Output/EpochPrinter.cs</c> (numbers in the invariant culture).
/// </summary>
public sealed partial class TrainOutput
{
    private readonly List<EpochLine> _epochs = [];

    /// <summary>Parameters of the network (from the first line).</summary>
    public long? Parameters { get; private set; }

    /// <summary>Training samples (from the first line).</summary>
    public int? TrainSamples { get; private set; }

    /// <summary>Every epoch line so far, in order.</summary>
    public IReadOnlyList<EpochLine> Epochs => _epochs;

    /// <summary>The closing result line (<c>test accuracy: …</c>, or the loss when there is no accuracy).</summary>
    public string? FinalResult { get; private set; }

    /// <summary>Reads one line of output; returns the epoch line it was, if any.</summary>
    public EpochLine? Accept(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (StartLine().Match(line) is { Success: true } start)
        {
            Parameters = long.Parse(start.Groups["parameters"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            TrainSamples = int.Parse(start.Groups["train"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            return null;
        }

        if (EpochLineFormat().Match(line) is { Success: true } epoch)
        {
            var parsed = new EpochLine(
                int.Parse(epoch.Groups["epoch"].Value, CultureInfo.InvariantCulture),
                int.Parse(epoch.Groups["epochs"].Value, CultureInfo.InvariantCulture),
                epoch.Groups["results"].Value,
                double.Parse(epoch.Groups["seconds"].Value, CultureInfo.InvariantCulture),
                double.Parse(epoch.Groups["rate"].Value, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
            _epochs.Add(parsed);
            return parsed;
        }

        if (FinalLine().IsMatch(line))
        {
            FinalResult = line.Trim();
        }

        return null;
    }

    /// <summary>
    /// The median samples/s of epochs 2..E: epoch 1 includes the JIT's warm-up (and, in a cluster, the first
    /// weight transfers). With a single epoch, that epoch's figure.
    /// </summary>
    public double? MedianSamplesPerSecond()
    {
        var rates = _epochs.Skip(_epochs.Count > 1 ? 1 : 0).Select(e => e.SamplesPerSecond).Order().ToList();
        if (rates.Count == 0)
        {
            return null;
        }

        var middle = rates.Count / 2;
        return rates.Count % 2 == 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2;
    }

    /// <summary>Everything the run computed (epoch losses and accuracies, final result), without timings.</summary>
    public string ResultsFingerprint() =>
        string.Join('\n', _epochs.Select(e => $"{e.Epoch}/{e.Epochs} {e.Results}").Append(FinalResult ?? "(no final result line)"));

    [GeneratedRegex(@"\((?<parameters>[\d,]+) parameters\) on .*: (?<train>[\d,]+) train / [\d,]+ test samples$")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^epoch (?<epoch>\d+)/(?<epochs>\d+)\s+(?<results>.*?)\s+\((?<seconds>[\d.]+) s, (?<rate>[\d,.]+) samples/s\)$")]
    private static partial Regex EpochLineFormat();

    [GeneratedRegex(@"^(test accuracy|test loss|train loss): ")]
    private static partial Regex FinalLine();
}
