using System.Globalization;
using System.Text;

namespace Backprop.Cli.Tests;

/// <summary>A small table as users write it: a header, features on very different scales, a constant column, string labels.</summary>
internal static class TableCsv
{
    public const string Header = "size_mm,weight_g,batch,kind";

    /// <summary>Two clusters, "pear" (small and light) and "apple", <paramref name="rows"/> rows, in the column order of <see cref="Header"/>.</summary>
    public static string Fruit(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var apple = i % 2 == 0;
            var size = (apple ? 80 : 50) + (random.NextDouble() * 10);
            var weight = (apple ? 0.2 : 0.1) + (random.NextDouble() * 0.02);
            text.Append(CultureInfo.InvariantCulture, $"{size:F2},{weight:F4},7,{(apple ? "apple" : "pear")}\n");
        }

        return text.Append("\n\n").ToString();
    }

    /// <summary>Trains a small standardized model on <see cref="Fruit"/> (64 rows) into <paramref name="dir"/>; returns the model file.</summary>
    public static string TrainFruitModel(TempDirectory dir)
    {
        var data = dir.File("fruit.csv", Fruit(64, seed: 1));
        var modelPath = System.IO.Path.Combine(dir.Path, "fruit.json");
        var run = CliRun.Of("train", "--data", data, "--standardize", "--hidden", "8", "--epochs", "20", "--batch-size", "8", "--lr", "0.01", "--out", modelPath);
        Assert.True(run.ExitCode == 0, run.Error);
        return modelPath;
    }
}
