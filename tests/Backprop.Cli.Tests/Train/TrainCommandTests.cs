using System.Text.Json;

namespace Backprop.Cli.Tests.Train;

public class TrainCommandTests
{
    [Fact]
    public void Train_Xor_ReachesFullAccuracyAndWritesModel()
    {
        using var dir = new TempDirectory();
        var modelPath = Path.Combine(dir.Path, "xor.json");

        var run = CliRun.Of("train", "--data", "xor", "--hidden", "8", "--activation", "tanh", "--lr", "0.05",
            "--batch-size", "4", "--epochs", "300", "--out", modelPath);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("test accuracy: 100.00%", run.Output);
        using var model = JsonDocument.Parse(File.ReadAllText(modelPath));
        Assert.Equal("backprop.model.v1", model.RootElement.GetProperty("format").GetString());
        Assert.Equal(2, model.RootElement.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public void Train_RedirectedOutput_OnePlainLinePerEpoch()
    {
        var run = CliRun.Of("train", "--data", "xor", "--hidden", "4", "--epochs", "3", "--batch-size", "2");

        Assert.Equal(0, run.ExitCode);
        var epochLines = run.Output.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["epoch 1/3", "epoch 2/3", "epoch 3/3"], epochLines.Select(l => l[..9]));
        Assert.DoesNotContain('\r', run.Output);
    }

    [Fact]
    public void Train_SameSeedTwice_WritesIdenticalModels()
    {
        using var dir = new TempDirectory();
        var first = Path.Combine(dir.Path, "a.json");
        var second = Path.Combine(dir.Path, "b.json");
        string[] common = ["train", "--data", "spirals", "--hidden", "16", "--epochs", "2", "--seed", "7"];

        Assert.Equal(0, CliRun.Of([.. common, "--out", first]).ExitCode);
        Assert.Equal(0, CliRun.Of([.. common, "--out", second]).ExitCode);

        Assert.Equal(File.ReadAllText(first), File.ReadAllText(second));
    }

    [Fact]
    public void Train_InitModel_ContinuesFromTheSavedWeights()
    {
        using var dir = new TempDirectory();
        var trained = Path.Combine(dir.Path, "trained.json");
        var continued = Path.Combine(dir.Path, "continued.json");
        Assert.Equal(0, CliRun.Of("train", "--data", "xor", "--hidden", "8", "--activation", "tanh", "--lr", "0.05",
            "--batch-size", "4", "--epochs", "300", "--out", trained).ExitCode);

        // An SGD step with a vanishing learning rate leaves the weights (almost) as loaded: accuracy stays perfect.
        var run = CliRun.Of("train", "--data", "xor", "--init-model", trained, "--optimizer", "sgd", "--lr", "1e-12",
            "--epochs", "1", "--out", continued);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("test accuracy: 100.00%", run.Output);
        Assert.Contains("2-8(tanh)-2(softmax)", run.Output);
    }

    [Fact]
    public void Train_OnATerminal_RedrawsAProgressBarInPlace()
    {
        var output = new StringWriter();

        var exitCode = BackpropCli.Run(["train", "--data", "xor", "--hidden", "4", "--epochs", "2"], output, new StringWriter(), interactive: true);

        Assert.Equal(0, exitCode);
        Assert.Contains("\repoch 1/2 [", output.ToString());
        Assert.Contains("\repoch 2/2  train loss", output.ToString());
    }
}
