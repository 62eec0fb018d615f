namespace Backprop.Cli.Tests.Predict;

/// <summary><c>predict --model</c>: a model file run here, on a table as users have it.</summary>
public sealed class ModelPredictionTests
{
    [Fact]
    public void Predict_ModelFromHeaderCsv_PicksColumnsByNameStandardizesAndPrintsClassNames()
    {
        using var dir = new TempDirectory();
        var modelPath = TableCsv.TrainFruitModel(dir);
        // Columns in another order, the label column still there, rows an apple and a pear.
        var rows = dir.File("new.csv", "kind,batch,weight_g,size_mm\n?,7,0.21,85\n?,7,0.105,52\n");
        var outPath = Path.Combine(dir.Path, "predictions.csv");

        var run = CliRun.Of("predict", "--model", modelPath, "--data", rows, "--out", outPath);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal($"predictions written to {outPath}", run.Output.Trim());
        var lines = File.ReadAllLines(outPath);
        Assert.Equal(["apple", "pear"], lines.Select(line => line.Split(',')[0]));
        Assert.All(lines, line => Assert.Equal(3, line.Split(',').Length));
    }

    [Fact]
    public async Task Predict_ModelOnParquet_SameClassesAsCsv()
    {
        using var dir = new TempDirectory();
        var modelPath = TableCsv.TrainFruitModel(dir);
        var parquet = Path.Combine(dir.Path, "new.parquet");
        await WriteParquetAsync(parquet);

        var run = CliRun.Of("predict", "--model", modelPath, "--data", parquet);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(["apple", "pear"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(',')[0]));
    }

    [Theory]
    [InlineData("size_mm,weight_g,batch\n80,x,7\n", "new.csv: line 2, column 2 (weight_g): 'x' is not a number")]
    [InlineData("size_mm,batch\n80,7\n", "new.csv: no column 'weight_g' in its header row")]
    [InlineData("80,0.2\n", "new.csv: 2 columns, but the model takes 3 inputs")]
    public void Predict_BadRows_ExitsWithBadInputNamingThePlace(string text, string expected)
    {
        using var dir = new TempDirectory();
        var modelPath = TableCsv.TrainFruitModel(dir);
        var rows = dir.File("new.csv", text);

        CliRun.Of("predict", "--model", modelPath, "--data", rows).AssertBadInput(expected);
    }

    [Fact]
    public void Predict_JobAndModelBoth_ExitsWithBadInput() =>
        CliRun.Of("predict", "job-1", "--model", "m.json", "--data", "xor").AssertBadInput("give either a JOB on the server or --model MODEL.json");

    [Fact]
    public void Predict_MissingModel_ExitsWithBadInput() =>
        CliRun.Of("predict", "--model", "no-such-model.json", "--data", "xor").AssertBadInput("no-such-model.json: file not found");

    private static async Task WriteParquetAsync(string path)
    {
        var schema = new Parquet.Schema.ParquetSchema(
            new Parquet.Schema.DataField<double>("size_mm"), new Parquet.Schema.DataField<double>("weight_g"), new Parquet.Schema.DataField<int>("batch"));
        await using var stream = File.Create(path);
        await using var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(schema.DataFields[0], new ReadOnlyMemory<double>([85, 52]));
        await group.WriteAsync(schema.DataFields[1], new ReadOnlyMemory<double>([0.21, 0.105]));
        await group.WriteAsync(schema.DataFields[2], new ReadOnlyMemory<int>([7, 7]));
    }
}
