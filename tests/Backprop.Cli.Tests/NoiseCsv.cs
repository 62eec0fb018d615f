using System.Globalization;
using System.Text;

namespace Backprop.Cli.Tests;

/// <summary>
/// A table whose labels are coin flips: whatever a network learns of its training rows is noise, so the loss on
/// held-out rows rises once it starts memorizing, and early stopping has something to stop.
/// </summary>
internal static class NoiseCsv
{
    /// <summary>Flags that overfit it within a few epochs, with a validation split to watch.</summary>
    public static readonly string[] Job =
        ["--validation-split", "0.25", "--hidden", "32", "--epochs", "40", "--batch-size", "8", "--shard-size", "4", "--lr", "0.02", "--schedule", "constant"];

    /// <summary><paramref name="rows"/> rows of two features and a label "a" or "b" drawn at random.</summary>
    public static string Rows(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x,y,label\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{random.NextDouble():F4},{random.NextDouble():F4},{(random.Next(2) == 0 ? "a" : "b")}\n");
        }

        return text.ToString();
    }
}
