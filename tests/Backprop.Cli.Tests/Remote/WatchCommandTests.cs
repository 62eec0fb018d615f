using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

public class WatchCommandTests
{
    [Fact]
    public void Watch_JobSucceeds_PrintsALinePerEventAndExitsZero()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.WatchResponses.AddRange(WatchScript.Succeeding("job-9"));

        var run = server.Run("watch", "job-9", "--every-steps", "5");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
        [
            "job job-9 queued: epoch 0/2, step 0/20, 1 workers",
            "job job-9 running",
            "worker 10.0.0.2:4053 joined",
            "step 5/20  epoch 1/2  train loss 0.6000  1,234 samples/s  1 workers",
            "epoch 1/2  train loss 0.5000  test loss 0.4000  test accuracy 87.50%  (1.5 s)",
            "epoch 2/2  train loss 0.2500  test loss 0.2000  test accuracy 100.00%  (2.0 s)",
            "job job-9 succeeded",
        ],
            run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var request = server.Trainer.Single<WatchJobRequest>();
        Assert.Equal(("job-9", 5), (request.JobId, request.EverySteps));
    }

    [Fact]
    public void Watch_JobSucceedsWithMetrics_PrintsThemAsTablesAfterTheLastLine()
    {
        using var server = new FakeTrainerServer();
        var script = WatchScript.Succeeding("job-9").ToList();
        script[^1].Job.Metrics = new ModelMetrics
        {
            EvaluatedOn = "validation",
            Dataset = "iris.csv (validation)",
            Samples = 4,
            Classification = new ClassificationMetrics
            {
                Accuracy = 0.75,
                MacroF1 = 2.0 / 3,
                Classes =
                {
                    new ClassMetrics { Name = "setosa", Support = 2, Predicted = 3, Precision = 2.0 / 3, Recall = 1, F1 = 0.8 },
                    new ClassMetrics { Name = "virginica", Support = 2, Predicted = 1, Precision = 1, Recall = 0.5, F1 = 2.0 / 3 },
                },
                ConfusionMatrix = { new ConfusionRow { Predicted = { 2, 0 } }, new ConfusionRow { Predicted = { 1, 1 } } },
            },
        };
        server.Trainer.WatchResponses.AddRange(script);

        var run = server.Run("watch", "job-9");

        Assert.Equal(0, run.ExitCode);
        var afterLastLine = run.Output[run.Output.IndexOf("job job-9 succeeded", StringComparison.Ordinal)..];
        Assert.Contains("metrics on the validation data (4 samples): accuracy 75.00%, macro F1 0.6667", afterLastLine);
        Assert.Matches(@"│ setosa\s+│\s+0\.6667 │\s+1\.0000 │\s+0\.8000 │\s+2 │\s+3 │", afterLastLine);
        Assert.Matches(@"│ virginica\s+│\s+1 │\s+1 │", afterLastLine);
    }

    [Fact]
    public void Watch_JobFails_PrintsTheReasonAndExitsOne()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.WatchResponses.AddRange(WatchScript.Failing("job-3", "worker 10.0.0.2 lost"));

        var run = server.Run("watch", "job-3");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("job job-3 failed: worker 10.0.0.2 lost", run.Output);
    }

    [Fact]
    public void Watch_StreamEndsBeforeTheJob_IsAFailure()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.WatchResponses.Add(new WatchJobResponse { Job = WatchScript.Status("job-4", JobState.Running, 3, 1) });

        var run = server.Run("watch", "job-4");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("ended while it was running", run.Error);
    }

    [Fact]
    public void Watch_OnATerminal_DrawsAProgressBarAndTheEpochLines()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.WatchResponses.AddRange(WatchScript.Succeeding("job-9"));
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = BackpropCli.Run(["watch", "job-9", "--server", server.Url], output, error, interactive: true);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Contains("epoch 2/2  train loss 0.2500", output.ToString());
        Assert.Contains("job job-9 succeeded", output.ToString());
        Assert.Contains("1,234 samples/s", output.ToString());
    }
}
