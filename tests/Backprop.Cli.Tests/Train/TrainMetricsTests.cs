using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Backprop.Cli.Tests.Train;

/// <summary><c>backprop train</c>'s final metrics: the table it prints and the JSON of <c>--metrics-out</c>.</summary>
public sealed class TrainMetricsTests
{
    private static readonly string[] FruitJob = ["--hidden", "8", "--epochs", "5", "--batch-size", "8", "--lr", "0.01", "--standardize"];

    [Fact]
    public void Train_ClassesWithValidationSplit_WritesMetricsJsonWithClassNames()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", TableCsv.Fruit(80, seed: 4));
        var metricsPath = Path.Combine(dir.Path, "metrics.json");

        var run = CliRun.Of(["train", "--data", data, "--validation-split", "0.25", .. FruitJob, "--metrics-out", metricsPath]);

        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var root = json.RootElement;
        Assert.Equal("validation", root.GetProperty("evaluated_on").GetString());
        Assert.Equal("classification", root.GetProperty("task").GetString());
        Assert.Equal(20, root.GetProperty("samples").GetInt32());
        Assert.Equal(["apple", "pear"], root.GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("class").GetString()));
        Assert.Equal(["apple", "pear"], root.GetProperty("confusion_matrix").GetProperty("labels").EnumerateArray().Select(c => c.GetString()));
        var rows = root.GetProperty("confusion_matrix").GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(n => n.GetInt32()).ToArray()).ToArray();
        Assert.Equal([10, 10], rows.Select(r => r.Sum())); // stratified: each class keeps its share
        Assert.Equal((double)(rows[0][0] + rows[1][1]) / 20, root.GetProperty("accuracy").GetDouble(), 12);
        Assert.Contains($"metrics written to {metricsPath}", run.Output);
    }

    [Fact]
    public void Train_Classes_PrintsPerClassTableAndConfusionMatrix()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", TableCsv.Fruit(80, seed: 4));

        var run = CliRun.Of(["train", "--data", data, "--validation-split", "0.25", .. FruitJob]);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("metrics on the validation data (20 samples): accuracy ", run.Output);
        Assert.Contains("macro F1 ", run.Output);
        Assert.Matches(@"│ class\s+│\s+precision │\s+recall │\s+F1 │\s+support │\s+predicted │", run.Output);
        Assert.Matches(@"│ apple\s+│\s+\d\.\d{4} │", run.Output);
        Assert.Contains("confusion matrix (rows: true class, columns: predicted class)", run.Output);
    }

    [Fact]
    public void Train_TestData_SaysTheMetricsAreOnTheTestData()
    {
        var run = CliRun.Of("train", "--data", "spirals", "--hidden", "8", "--epochs", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("metrics on the test data (300 samples)", run.Output);
    }

    [Fact]
    public void Train_RealTargets_WritesRmseMaeAndR2()
    {
        using var dir = new TempDirectory();
        var data = dir.File("line.csv", Line(60));
        var metricsPath = Path.Combine(dir.Path, "metrics.json");

        var run = CliRun.Of(
            "train", "--data", data, "--targets", "1", "--validation-split", "0.2", "--hidden", "none", "--output-activation", "identity", "--loss", "mse",
            "--epochs", "30", "--lr", "0.05", "--batch-size", "4", "--metrics-out", metricsPath);

        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(metricsPath));
        var root = json.RootElement;
        Assert.Equal("regression", root.GetProperty("task").GetString());
        Assert.Equal(12, root.GetProperty("samples").GetInt32());
        Assert.True(root.GetProperty("r2").GetDouble() > 0.9, run.Output);
        Assert.True(root.GetProperty("rmse").GetDouble() >= root.GetProperty("mae").GetDouble());
        Assert.Matches(@"│ R²\s+│\s+0\.9\d{3} │", run.Output);
    }

    [Fact]
    public void Train_MetricsOutInMissingDirectory_ExitsWithBadInputBeforeTraining()
    {
        var path = Path.Combine(Path.GetTempPath(), $"backprop-{Guid.NewGuid():N}", "metrics.json");

        var run = CliRun.Of("train", "--data", "xor", "--metrics-out", path);

        run.AssertBadInput("--metrics-out", "does not exist");
        Assert.DoesNotContain("epoch", run.Output);
    }

    [Fact]
    public void Train_MetricsOutIsADirectory_ExitsWithBadInput()
    {
        using var dir = new TempDirectory();

        CliRun.Of("train", "--data", "xor", "--metrics-out", dir.Path).AssertBadInput("--metrics-out", "is a directory");
    }

    [Fact]
    public void Train_MetricsOutWithoutTestData_ExitsWithBadInputNamingTheWays()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", TableCsv.Fruit(20, seed: 1));

        CliRun.Of("train", "--data", data, "--metrics-out", Path.Combine(dir.Path, "m.json"))
            .AssertBadInput("--metrics-out", "no test data", "--test-data", "--validation-split");
    }

    /// <summary>y = 2x − 1 plus a little noise, x in [−1, 1].</summary>
    private static string Line(int rows)
    {
        var random = new Random(2);
        var text = new StringBuilder("x,y\n");
        for (var i = 0; i < rows; i++)
        {
            var x = (random.NextDouble() * 2) - 1;
            text.Append(CultureInfo.InvariantCulture, $"{x:F4},{(2 * x) - 1 + ((random.NextDouble() - 0.5) * 0.05):F4}\n");
        }

        return text.ToString();
    }
}
