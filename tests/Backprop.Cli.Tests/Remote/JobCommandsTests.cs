using Backprop.Cli.Tests.Export;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Activation = Backprop.Core.Model.Activation;
using NetworkSpec = Backprop.Core.Model.NetworkSpec;

namespace Backprop.Cli.Tests.Remote;

public class JobCommandsTests
{
    [Fact]
    public void Jobs_TwoJobs_PrintsAnAlignedTable()
    {
        using var server = new FakeTrainerServer();
        var done = WatchScript.Status("job-1", JobState.Succeeded, 20, 2);
        done.Name = "xor";
        done.TestAccuracy = 0.9875f;
        var failed = WatchScript.Status("job-22", JobState.Failed, 1, 0);
        failed.Reason = "data root: houses.csv not found";
        server.Trainer.Jobs = new ListJobsResponse { Jobs = { done, failed } };

        var run = server.Run("jobs");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
        [
            "ID      NAME  STATE      EPOCH  STEP   TEST ACC  REASON",
            "job-1   xor   succeeded  2/2    20/20  98.75%",
            "job-22        failed     0/2    1/20   -         data root: houses.csv not found",
        ],
            run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(JobState.Unspecified, server.Trainer.Single<ListJobsRequest>().State);
    }

    [Fact]
    public void Jobs_StateFilter_SendsTheState()
    {
        using var server = new FakeTrainerServer();

        Assert.Equal(0, server.Run("jobs", "--state", "running").ExitCode);

        Assert.Equal(JobState.Running, server.Trainer.Single<ListJobsRequest>().State);
    }

    [Fact]
    public void Jobs_UnknownState_IsBadInput()
    {
        using var server = new FakeTrainerServer();

        server.Run("jobs", "--state", "done").AssertBadInput("--state", "'done'", "queued, running, succeeded, failed, cancelled");
    }

    [Fact]
    public void Cancel_Job_SendsItsIdAndPrintsTheStateAfter()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("cancel", "job-5");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("job job-5 cancelled", run.Output.Trim());
        Assert.Equal("job-5", server.Trainer.Single<CancelJobRequest>().JobId);
    }

    [Fact]
    public void Model_SucceededJob_WritesAModelFileThatLoadsBackEqual()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(3, [4], 2, Activation.Tanh, Activation.Softmax), seed: 11);
        server.Trainer.Model = new GetModelResponse { Model = ModelConverter.ModelToProto(network), Step = 40 };
        var path = Path.Combine(dir.Path, "model.json");

        var run = server.Run("model", "job-1", "--out", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"model written to {path}", run.Output.Trim());
        var loaded = ModelJson.Load(path).Network;
        Assert.Equal(network.Spec.ToString(), loaded.Spec.ToString());
        Assert.Equal(network.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal("job-1", server.Trainer.Single<GetModelRequest>().JobId);
    }

    [Fact]
    public void Model_WithoutOut_IsBadInput()
    {
        using var server = new FakeTrainerServer();

        server.Run("model", "job-1").AssertBadInput("--out");
    }

    [Fact]
    public void Model_FormatOnnx_WritesAnOnnxFileThatMatchesPredictOnTheSameModel()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(3, [4], 2, Activation.Tanh, Activation.Softmax), seed: 11);
        var model = new TrainedModel(network, new ModelMetadata(["a", "b", "c"], ["no", "yes"]));
        server.Trainer.Model = new GetModelResponse { Model = ModelMetadataConverter.TrainedModelToProto(model), Step = 40 };
        var path = Path.Combine(dir.Path, "model.onnx");

        var run = server.Run("model", "job-1", "--out", path, "--format", "onnx");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal($"model written to {path}", run.Output.Trim());
        var modelPath = Path.Combine(dir.Path, "model.json");
        ModelJson.Save(model, modelPath);
        var random = new Random(1);
        var rows = OnnxAgreement.Rows(1_000, 3, (_, _) => (float)((random.NextDouble() * 4) - 2));
        var csv = OnnxAgreement.WriteCsv(dir, "rows.csv", rows, 3, "a,b,c");
        var classes = OnnxAgreement.AssertMatchesPredict(dir, modelPath, path, csv, rows, 3);
        Assert.All(classes, name => Assert.Contains(name, new[] { "no", "yes" }));
    }

    [Fact]
    public void Model_UnknownFormat_IsBadInput()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "model.pmml");

        server.Run("model", "job-1", "--out", path, "--format", "pmml").AssertBadInput("--format", "'pmml'", "json, onnx");
        Assert.False(File.Exists(path));
        Assert.Empty(server.Trainer.Requests);
    }
}
