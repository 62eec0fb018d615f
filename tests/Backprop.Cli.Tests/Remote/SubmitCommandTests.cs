using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Activation = Backprop.Protocol.V1.Activation;
using NetworkSpec = Backprop.Core.Model.NetworkSpec;

namespace Backprop.Cli.Tests.Remote;

public class SubmitCommandTests
{
    [Fact]
    public void Submit_BuiltInDataWithFlags_SendsSpecAndEveryTrainingSetting()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--data", "xor", "--hidden", "8,4", "--activation", "tanh", "--output-activation", "sigmoid",
            "--loss", "cross-entropy", "--optimizer", "momentum", "--lr", "0.05", "--momentum", "0.8", "--nesterov", "true",
            "--weight-decay", "0.001", "--schedule", "step", "--lr-decay-epochs", "3", "--lr-decay-factor", "0.25",
            "--batch-size", "16", "--epochs", "7", "--seed", "42", "--shuffle", "false", "--shard-size", "8", "--name", "xor-run");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("job job-1 submitted", run.Output.Trim());
        var request = server.Trainer.Single<SubmitJobRequest>();
        Assert.Equal("xor-run", request.Name);
        Assert.Equal("xor", request.Dataset.BuiltIn);
        Assert.Equal(0, request.Dataset.TargetColumns);
        Assert.Equal(0, request.Spec.InputSize);
        Assert.Equal(
            [(8, Activation.Tanh), (4, Activation.Tanh), (0, Activation.Sigmoid)],
            request.Spec.Layers.Select(layer => (layer.Outputs, layer.Activation)));
        var training = request.Training;
        Assert.Equal(Loss.BinaryCrossEntropy, training.Loss);
        Assert.Equal(OptimizerKind.Momentum, training.Optimizer.Kind);
        Assert.Equal(0.05f, training.Optimizer.LearningRate);
        Assert.Equal(0.8f, training.Optimizer.Momentum);
        Assert.True(training.Optimizer.Nesterov);
        Assert.Equal(0.001f, training.Optimizer.WeightDecay);
        Assert.Equal(0.9f, training.Optimizer.Beta1);
        Assert.Equal(0.999f, training.Optimizer.Beta2);
        Assert.Equal(1e-8f, training.Optimizer.Epsilon);
        Assert.Equal(ScheduleKind.StepDecay, training.Schedule);
        Assert.Equal(3, training.DecayEveryEpochs);
        Assert.Equal(0.25f, training.DecayFactor);
        Assert.Equal(16, training.BatchSize);
        Assert.Equal(7, training.Epochs);
        Assert.Equal(42, training.Seed);
        Assert.True(training.HasShuffle);
        Assert.False(training.Shuffle);
        Assert.Equal(8, training.ShardSize);
    }

    [Fact]
    public void Submit_Defaults_SendTheDefaultsOfTrain()
    {
        using var server = new FakeTrainerServer();

        Assert.Equal(0, server.Run("submit").ExitCode);

        var request = server.Trainer.Single<SubmitJobRequest>();
        Assert.Equal("mnist", request.Dataset.BuiltIn);
        Assert.Equal([256, 128, 0], request.Spec.Layers.Select(layer => layer.Outputs));
        Assert.Equal(Loss.CrossEntropy, request.Training.Loss);
        Assert.Equal(OptimizerKind.Adam, request.Training.Optimizer.Kind);
        Assert.Equal(ScheduleKind.Cosine, request.Training.Schedule);
        Assert.Equal((32, 15, 1, true), (request.Training.BatchSize, request.Training.Epochs, request.Training.Seed, request.Training.Shuffle));
    }

    [Fact]
    public void Submit_DataPathWithTargets_SendsAPathReference()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--data", "houses/train.csv", "--targets", "2", "--output-activation", "identity", "--loss", "mse");

        Assert.Equal(0, run.ExitCode);
        var dataset = server.Trainer.Single<SubmitJobRequest>().Dataset;
        Assert.Equal(DatasetReference.SourceOneofCase.Path, dataset.SourceCase);
        Assert.Equal("houses/train.csv", dataset.Path);
        Assert.Equal(2, dataset.TargetColumns);
    }

    [Fact]
    public void Submit_TableFlags_SendTheLayoutStandardizeAndValidationSplit()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--data", "tables/iris.csv", "--header", "true", "--label-column", "species", "--standardize", "--validation-split", "0.25");

        Assert.Equal(0, run.ExitCode);
        var dataset = server.Trainer.Single<SubmitJobRequest>().Dataset;
        Assert.Equal("tables/iris.csv", dataset.Path);
        Assert.Equal(new TableLayout { Header = true, LabelColumn = "species" }, dataset.Table);
        Assert.True(dataset.Standardize);
        Assert.Equal(0.25, dataset.ValidationSplit);
    }

    [Fact]
    public void Submit_EarlyStopping_SendsTheFieldWithTheValidationSplit()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--data", "spirals", "--validation-split", "0.2", "--early-stopping", "3");

        Assert.Equal(0, run.ExitCode);
        var request = server.Trainer.Single<SubmitJobRequest>();
        Assert.Equal(3, request.Training.EarlyStopping);
        Assert.Equal(0.2, request.Dataset.ValidationSplit);
    }

    [Fact]
    public void Submit_EarlyStoppingWithoutValidationSplit_ExitsWithBadInputBeforeCalling()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--data", "spirals", "--early-stopping", "3");

        run.AssertBadInput("--early-stopping", "--validation-split");
        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Submit_UploadedDatasetWithoutTableFlags_LeavesTheLayoutToTheUpload()
    {
        using var server = new FakeTrainerServer();

        var run = server.Run("submit", "--dataset", "ds-1");

        Assert.Equal(0, run.ExitCode);
        Assert.Null(server.Trainer.Single<SubmitJobRequest>().Dataset.Table);
    }

    [Fact]
    public void Submit_UploadedDataset_SendsItsId()
    {
        using var server = new FakeTrainerServer();

        Assert.Equal(0, server.Run("submit", "--dataset", "ds-7").ExitCode);

        var dataset = server.Trainer.Single<SubmitJobRequest>().Dataset;
        Assert.Equal(DatasetReference.SourceOneofCase.UploadedId, dataset.SourceCase);
        Assert.Equal("ds-7", dataset.UploadedId);
    }

    [Fact]
    public void Submit_DatasetAndData_IsBadInputAndSendsNothing()
    {
        using var server = new FakeTrainerServer();

        server.Run("submit", "--dataset", "ds-7", "--data", "xor").AssertBadInput("--data", "--dataset");

        Assert.Empty(server.Trainer.Requests);
    }

    [Fact]
    public void Submit_InitModel_SendsTheModelAndItsLoss()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var modelPath = Path.Combine(dir.Path, "init.json");
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 2, Core.Model.Activation.Relu, Core.Model.Activation.Softmax), seed: 5);
        ModelJson.Save(new TrainedModel(network, ModelMetadata.None), modelPath);

        var run = server.Run("submit", "--data", "xor", "--init-model", modelPath);

        Assert.Equal(0, run.ExitCode);
        var request = server.Trainer.Single<SubmitJobRequest>();
        Assert.Equal(SubmitJobRequest.NetworkOneofCase.InitialModel, request.NetworkCase);
        Assert.Equal(ModelConverter.ModelToProto(network), request.InitialModel);
        Assert.Equal(Loss.CrossEntropy, request.Training.Loss);
    }

    [Fact]
    public void Submit_InitModelWithHidden_IsBadInput()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var modelPath = Path.Combine(dir.Path, "init.json");
        ModelJson.Save(new TrainedModel(ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 2, Core.Model.Activation.Relu, Core.Model.Activation.Softmax), seed: 5), ModelMetadata.None), modelPath);

        server.Run("submit", "--init-model", modelPath, "--hidden", "4").AssertBadInput("--hidden", "--init-model");
    }

    [Fact]
    public void Submit_LocalOnlyFlag_IsRejectedByTheParser()
    {
        using var server = new FakeTrainerServer();

        server.Run("submit", "--workers", "2").AssertBadInput("--workers");
    }

    [Fact]
    public void Submit_Watch_PrintsTheIdThenFollowsTheJob()
    {
        using var server = new FakeTrainerServer();
        server.Trainer.WatchResponses.AddRange(WatchScript.Succeeding("job-1"));

        var run = server.Run("submit", "--data", "xor", "--watch");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("job job-1 submitted", lines[0]);
        Assert.Contains(lines, line => line.StartsWith("epoch 1/2  train loss 0.5000", StringComparison.Ordinal));
        Assert.Equal("job-1", server.Trainer.Single<WatchJobRequest>().JobId);
    }
}
