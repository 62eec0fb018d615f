using System.Text.Json;

namespace Backprop.Cli.Tests.Train;

/// <summary><c>train</c> on tables as users have them: a header, string labels, standardization kept in the model.</summary>
public sealed class TrainTableTests
{
    private static readonly string[] Job = ["--hidden", "8", "--epochs", "20", "--batch-size", "8", "--lr", "0.01", "--seed", "3"];

    [Fact]
    public void Train_HeaderCsvWithStringLabelsAndStandardize_WritesNamesAndStandardizationIntoTheModel()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", TableCsv.Fruit(64, seed: 1));
        var test = dir.File("fruit-test.csv", TableCsv.Fruit(32, seed: 2));
        var modelPath = Path.Combine(dir.Path, "fruit.json");

        var run = CliRun.Of(["train", "--data", data, "--test-data", test, "--standardize", .. Job, "--out", modelPath]);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("test accuracy: 100.00%", run.Output);
        using var model = JsonDocument.Parse(File.ReadAllText(modelPath));
        var root = model.RootElement;
        Assert.Equal("backprop.model.v2", root.GetProperty("format").GetString());
        Assert.Equal(["size_mm", "weight_g", "batch"], root.GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["apple", "pear"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        var scale = root.GetProperty("standardization").GetProperty("scale").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(1f, scale[2]);
    }

    [Fact]
    public void Train_LabelColumnByNameAndHeaderFlag_Trains()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", "kind,size_mm,weight_g\npear,50,0.1\napple,80,0.2\npear,52,0.11\napple,82,0.21\n");

        var run = CliRun.Of(["train", "--data", data, "--label-column", "kind", "--header", "true", "--standardize", .. Job]);

        Assert.True(run.ExitCode == 0, run.Error);
    }

    [Fact]
    public void Train_StandardizedWithValidationSplitOnTwoWorkerProcesses_WritesTheSameModelAsInProcess()
    {
        using var dir = new TempDirectory();
        var data = dir.File("fruit.csv", TableCsv.Fruit(64, seed: 1));
        string[] job = ["train", "--data", data, "--standardize", "--validation-split", "0.25", .. Job, "--shard-size", "4"];

        var local = CliRun.Of([.. job, "--out", Path.Combine(dir.Path, "local.json")]);
        var cluster = CliRun.Of([.. job, "--workers", "2", "--out", Path.Combine(dir.Path, "cluster.json")]);

        Assert.True(local.ExitCode == 0, local.Error);
        Assert.True(cluster.ExitCode == 0, cluster.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "local.json")), File.ReadAllBytes(Path.Combine(dir.Path, "cluster.json")));
        Assert.Contains("48 train / 16 test samples", local.Output);
        Assert.Contains("test accuracy: 100.00%", cluster.Output);
    }

    [Theory]
    [InlineData("a,b,kind\n1,2,x\n3,oops,y\n", new string[0], "line 3, column 2 (b): 'oops' is not a number")]
    [InlineData("a,b,kind\n1,2,x\n3,,y\n", new string[0], "line 3, column 2 (b): missing value")]
    [InlineData("a,b,kind\n1,2,x\n3,4\n", new string[0], "line 3: expected 3 fields, found 2")]
    [InlineData("a,b,kind\n1,2,x\n", new[] { "--label-column", "species" }, "--label-column: 'species' is neither a column name nor a column number 1..3")]
    [InlineData("a,b,kind\n1,2,x\n", new[] { "--targets", "price" }, "--targets: no column 'price'")]
    [InlineData("a,b,kind\n1,2,x\n", new[] { "--targets", "a", "--label-column", "kind" }, "--targets: real-valued targets leave no class label")]
    public void Train_MalformedTable_ExitsWithBadInputNamingThePlace(string text, string[] flags, string expected)
    {
        using var dir = new TempDirectory();
        var data = dir.File("bad.csv", text);

        CliRun.Of(["train", "--data", data, .. flags, "--epochs", "1"]).AssertBadInput(expected);
    }
}
