namespace Backprop.Cli.Tests.Train;

/// <summary><c>backprop train --early-stopping N</c> in-process (the cluster's run is in Cluster/TrainOnWorkersTests).</summary>
public sealed class TrainEarlyStoppingTests
{
    [Fact]
    public void Train_EarlyStoppingWithoutValidationSplit_ExitsWithBadInputNamingBothFlags() =>
        CliRun.Of("train", "--data", "xor", "--early-stopping", "3").AssertBadInput("--early-stopping", "--validation-split");

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void Train_EarlyStoppingBelowOne_ExitsWithBadInput(string patience) =>
        CliRun.Of("train", "--data", "xor", "--validation-split", "0.5", "--early-stopping", patience).AssertBadInput("--early-stopping", "must be ≥ 1", patience);

    [Fact]
    public void Train_EarlyStoppingNotANumber_ExitsWithBadInput() =>
        Assert.Equal(BackpropCli.BadInput, CliRun.Of("train", "--data", "xor", "--validation-split", "0.5", "--early-stopping", "soon").ExitCode);

    [Fact]
    public void Train_RandomLabels_StopsEarlyAndSaysWhichEpochTheModelKeeps()
    {
        using var dir = new TempDirectory();
        var data = dir.File("noise.csv", NoiseCsv.Rows(120, seed: 5));

        var run = CliRun.Of(["train", "--data", data, .. NoiseCsv.Job, "--early-stopping", "2"]);

        Assert.True(run.ExitCode == 0, run.Error);
        var epochLines = run.Output.Split('\n').Count(line => line.StartsWith("epoch ", StringComparison.Ordinal));
        Assert.InRange(epochLines, 3, 39);
        Assert.Matches(@"early stopping: stopped after epoch \d+: no lower validation loss in the 2 epochs since epoch \d+ \(validation loss \d\.\d{4}\); the model keeps epoch \d+'s weights", run.Output);
        Assert.Contains("  best  (", run.Output);
    }
}
