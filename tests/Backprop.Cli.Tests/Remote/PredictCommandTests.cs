using Backprop.Cli.Remote;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

public class PredictCommandTests
{
    [Fact]
    public void Predict_CsvWithHeader_SendsLittleEndianFloatsAndPrintsClassAndOutputs()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var data = dir.File("inputs.csv", "x,y\n0.5,-1\n\n1e-3,2.25\n");

        var run = server.Run("predict", "job-1", "--data", data);

        Assert.Equal(0, run.ExitCode);
        var request = server.Trainer.Single<PredictRequest>();
        Assert.Equal(("job-1", 2), (request.JobId, request.Rows));
        float[] expected = [0.5f, -1f, 1e-3f, 2.25f];
        Assert.Equal(expected.SelectMany(BitConverter.GetBytes).ToArray(), request.Inputs.ToByteArray());
        Assert.Equal(["0,1,-2", "1,0.002,4.5"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Predict_Out_WritesTheCsvFile()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var data = dir.File("inputs.csv", "1,2,3\n");
        var outPath = Path.Combine(dir.Path, "predictions.csv");

        var run = server.Run("predict", "job-1", "--data", data, "--out", outPath);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("0,2,4,6", File.ReadAllText(outPath).Trim());
    }

    [Fact]
    public void Predict_BuiltInDatasetWithOut_SendsItsTestSamplesAndPrintsTheAccuracy()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var outPath = Path.Combine(dir.Path, "predictions.csv");
        var test = Backprop.Core.Data.BuiltInDatasets.Load("xor", 1).Test!;

        var run = server.Run("predict", "job-1", "--data", "xor", "--out", outPath);

        // The fake answers class r for row r.
        var correct = test.Labels!.Where((label, row) => label == row).Count();
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(test.Features, TensorBytes.ToArray(server.Trainer.Single<PredictRequest>().Inputs, "inputs"));
        Assert.Contains($"accuracy: {100.0 * correct / test.Count:F2}% ({correct} of {test.Count} samples)", run.Output);
    }

    [Fact]
    public void Predict_MoreRowsThanOneCall_SendsBatchesOfAtMostTenThousand()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var data = dir.File("inputs.csv", string.Concat(Enumerable.Range(0, 10_001).Select(i => $"{i}\n")));

        var run = server.Run("predict", "job-1", "--data", data);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([10_000, 1], server.Trainer.Requests.OfType<PredictRequest>().Select(r => r.Rows));
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10_001, lines.Length);
        Assert.Equal("0,20000", lines[^1]);
    }

    [Fact]
    public void Predict_WideRows_StayUnderTheMessageLimit()
    {
        Assert.Equal(PredictCommand.MaxRowsPerCall, PredictCommand.RowsPerCall(2));
        Assert.True(PredictCommand.RowsPerCall(784) * 784 * sizeof(float) <= PredictCommand.MaxInputBytesPerCall);
    }

    [Fact]
    public void Predict_RaggedRow_IsBadInputNamingTheLine()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var data = dir.File("inputs.csv", "1,2\n3,4\n5\n");

        server.Run("predict", "job-1", "--data", data).AssertBadInput("inputs.csv", "line 3", "expected 2 fields, found 1");
        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Predict_MissingFile_IsBadInput()
    {
        using var server = new FakeTrainerServer();

        server.Run("predict", "job-1", "--data", "/no/such/inputs.csv").AssertBadInput("/no/such/inputs.csv");
    }
}
