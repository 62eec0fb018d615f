namespace Backprop.Cli.Tests.Cluster;

/// <summary><c>train --workers N</c>: real worker processes on loopback, compared with training in-process.</summary>
public sealed class TrainOnWorkersTests
{
    [Fact]
    public void Train_OnTwoWorkerProcesses_WritesTheSameModelAsInProcess()
    {
        using var directory = new TempDirectory();
        string[] job = ["train", "--data", "spirals", "--hidden", "16", "--epochs", "3", "--batch-size", "50", "--shard-size", "8", "--lr", "0.01"];

        var local = CliRun.Of([.. job, "--out", Path.Combine(directory.Path, "local.json")]);
        var cluster = CliRun.Of([.. job, "--workers", "2", "--out", Path.Combine(directory.Path, "cluster.json")]);

        Assert.True(local.ExitCode == 0, local.Error);
        Assert.True(cluster.ExitCode == 0, cluster.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory.Path, "local.json")), File.ReadAllBytes(Path.Combine(directory.Path, "cluster.json")));
        Assert.Equal(AccuracyLine(local.Output), AccuracyLine(cluster.Output));
    }

    [Fact]
    public void Train_EarlyStoppingOnTwoWorkerProcesses_StopsAtTheSameEpochWithTheSameModelAsInProcess()
    {
        using var directory = new TempDirectory();
        var data = directory.File("noise.csv", NoiseCsv.Rows(120, seed: 5));
        string[] job = ["train", "--data", data, .. NoiseCsv.Job, "--early-stopping", "2"];

        var local = CliRun.Of([.. job, "--out", Path.Combine(directory.Path, "local.json"), "--metrics-out", Path.Combine(directory.Path, "local-metrics.json")]);
        var cluster = CliRun.Of([.. job, "--workers", "2", "--out", Path.Combine(directory.Path, "cluster.json"), "--metrics-out", Path.Combine(directory.Path, "cluster-metrics.json")]);

        Assert.True(local.ExitCode == 0, local.Error);
        Assert.True(cluster.ExitCode == 0, cluster.Error);
        Assert.Contains("early stopping: stopped after epoch", local.Output);
        Assert.Equal(EarlyStoppingLine(local.Output), EarlyStoppingLine(cluster.Output));
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory.Path, "local.json")), File.ReadAllBytes(Path.Combine(directory.Path, "cluster.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory.Path, "local-metrics.json")), File.ReadAllBytes(Path.Combine(directory.Path, "cluster-metrics.json")));
    }

    [Fact]
    public void Train_ModelOver2MParametersOnWorkerProcesses_WritesTheSameModelAsInProcess()
    {
        // 2 → 1500 → 1500 → 2: 2,259,002 parameters, 9 MB per tensor, carried in chunks.
        using var directory = new TempDirectory();
        string[] job = ["train", "--data", "xor", "--hidden", "1500,1500", "--activation", "tanh", "--optimizer", "sgd", "--lr", "0.05", "--epochs", "3", "--batch-size", "4", "--shard-size", "1", "--schedule", "constant"];

        var local = CliRun.Of([.. job, "--out", Path.Combine(directory.Path, "local.json")]);
        var cluster = CliRun.Of([.. job, "--workers", "2", "--out", Path.Combine(directory.Path, "cluster.json")]);

        Assert.True(cluster.ExitCode == 0, cluster.Error);
        Assert.Contains("(2,259,002 parameters)", cluster.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory.Path, "local.json")), File.ReadAllBytes(Path.Combine(directory.Path, "cluster.json")));
    }

    [Fact]
    public void Train_OnWorkersOverPlaintext_WritesTheSameModelAsOverTls()
    {
        using var directory = new TempDirectory();
        string[] job = ["train", "--data", "xor", "--hidden", "4", "--epochs", "2", "--batch-size", "4", "--shard-size", "1", "--workers", "1"];

        var tls = CliRun.Of([.. job, "--out", Path.Combine(directory.Path, "tls.json")]);
        var plaintext = CliRun.Of([.. job, "--plaintext", "--out", Path.Combine(directory.Path, "plaintext.json")]);

        Assert.True(plaintext.ExitCode == 0, plaintext.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory.Path, "tls.json")), File.ReadAllBytes(Path.Combine(directory.Path, "plaintext.json")));
    }

    [Fact]
    public void Train_PlaintextWithoutWorkers_ExitsWithBadInput() =>
        CliRun.Of("train", "--data", "xor", "--plaintext").AssertBadInput("--plaintext", "only with --workers");

    [Fact]
    public void Train_FewerShardsThanWorkers_SaysSoBeforeTraining()
    {
        var run = CliRun.Of("train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--batch-size", "4", "--shard-size", "4", "--workers", "2", "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("local cluster: 2 worker processes, 1 threads each; a batch is 1 shards of up to 4 rows", run.Output);
        Assert.Contains("note: only 1 of 2 workers can compute each step", run.Output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public void Train_WorkerCountOutOfRange_ExitsWithBadInput(string workers) =>
        CliRun.Of("train", "--data", "xor", "--workers", workers).AssertBadInput("--workers", "1..64", workers);

    [Fact]
    public void Worker_SeedAddressNotAnAkkaAddress_ExitsWithBadInput() =>
        CliRun.Of("worker", "--join", "http://localhost:4053", "--plaintext").AssertBadInput("SeedNodes", "akka.tcp://backprop@HOST:PORT");

    [Fact]
    public void Worker_NeitherCertificatesNorPlaintext_ExitsWithBadInputNamingBoth() =>
        CliRun.Of("worker", "--join", "akka.tcp://backprop@127.0.0.1:4053")
            .AssertBadInput("--certificate and --ca-certificate are required", "backprop certs node", "--plaintext");

    [Fact]
    public void Worker_CertificateFileMissing_ExitsWithBadInputNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"backprop-{Guid.NewGuid():N}.crt");

        CliRun.Of("worker", "--join", "akka.tcp://backprop@127.0.0.1:4053", "--certificate", missing, "--ca-certificate", missing)
            .AssertBadInput("Cluster:Tls:Certificate: cannot read", missing);
    }

    private static string EarlyStoppingLine(string output) => output.Split('\n').Single(line => line.StartsWith("early stopping:", StringComparison.Ordinal));

    private static string AccuracyLine(string output) => output.Split('\n').Single(line => line.StartsWith("test accuracy:", StringComparison.Ordinal));
}
