using Backprop.Protocol.V1;
using Grpc.Core;

namespace Backprop.Server.Tests.Trainer;

/// <summary>Bad requests over the wire: each gets its status code and a message naming the field, and the server keeps serving.</summary>
[Collection(TrainerServerCollection.Name)]
public sealed class TrainerValidationTests(SharedTrainerServer shared)
{
    private readonly Protocol.V1.Trainer.TrainerClient _client = shared.Server.Client();

    /// <summary>A bad request, by name: how it is made from a good one.</summary>
    public static TheoryData<string, StatusCode, string> BadSubmissions => new()
    {
        { "no network", StatusCode.InvalidArgument, "spec" },
        { "empty layers", StatusCode.InvalidArgument, "spec.layers" },
        { "absurd layer", StatusCode.InvalidArgument, "spec.layers[0].outputs" },
        { "input size mismatch", StatusCode.InvalidArgument, "spec.input_size" },
        { "output size mismatch", StatusCode.InvalidArgument, "spec.layers[1].outputs" },
        { "unknown activation", StatusCode.InvalidArgument, "spec.layers[0].activation" },
        { "unknown optimizer", StatusCode.InvalidArgument, "training.optimizer.kind" },
        { "negative learning rate", StatusCode.InvalidArgument, "training.optimizer.learning_rate" },
        { "NaN learning rate", StatusCode.InvalidArgument, "training.optimizer.learning_rate" },
        { "negative batch", StatusCode.InvalidArgument, "training.batch_size" },
        { "negative epochs", StatusCode.InvalidArgument, "training.epochs" },
        { "no dataset", StatusCode.InvalidArgument, "dataset" },
        { "unknown built-in", StatusCode.InvalidArgument, "dataset.built_in" },
        { "path with ..", StatusCode.InvalidArgument, "dataset.path" },
        { "absolute path", StatusCode.InvalidArgument, "dataset.path" },
        { "missing path", StatusCode.NotFound, "dataset.path" },
        { "unknown upload", StatusCode.NotFound, "dataset.uploaded_id" },
        { "too many parameters", StatusCode.ResourceExhausted, "spec" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task SubmitJob_BadRequest_IsRefusedNamingTheField(string bad, StatusCode code, string field)
    {
        var request = TestJobs.Request(TestJobs.Xor);
        Spoil(request, bad);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.SubmitJobAsync(request));

        Assert.Equal(code, error.StatusCode);
        Assert.StartsWith($"{field}: ", error.Status.Detail);
        Assert.DoesNotContain(shared.Server.DataRoot, error.Status.Detail);
        // Still serving.
        Assert.NotNull(await _client.ListJobsAsync(new ListJobsRequest()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("job-nobody")]
    public async Task JobCalls_UnknownOrEmptyJobId_AreRefusedNamingJobId(string jobId)
    {
        var expected = jobId.Length == 0 ? StatusCode.InvalidArgument : StatusCode.NotFound;
        Func<Task>[] calls =
        [
            async () => await _client.GetJobAsync(new GetJobRequest { JobId = jobId }),
            async () => await _client.CancelJobAsync(new CancelJobRequest { JobId = jobId }),
            async () => await _client.GetModelAsync(new GetModelRequest { JobId = jobId }),
            async () => await _client.PredictAsync(new PredictRequest { JobId = jobId, Rows = 1 }),
            async () => await _client.WatchToEndAsync(jobId),
        ];

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(expected, error.StatusCode);
            Assert.StartsWith("job_id: ", error.Status.Detail);
        }
    }

    [Fact]
    public async Task Predict_WrongInputLength_IsRefusedNamingInputs()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4))).JobId;
        await _client.WatchToEndAsync(jobId);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.PredictAsync(new PredictRequest { JobId = jobId, Rows = 2, Inputs = Protocol.TensorBytes.From([1f, 2f, 3f]) }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("inputs: ", error.Status.Detail);
    }

    [Fact]
    public async Task GetModel_JobStillQueuedOrRunning_IsFailedPrecondition()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Spirals, epochs: 1000, batchSize: 8))).JobId;
        try
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.GetModelAsync(new GetModelRequest { JobId = jobId }));

            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        }
        finally
        {
            await _client.CancelJobAsync(new CancelJobRequest { JobId = jobId });
        }
    }

    [Fact]
    public async Task UploadDataset_WrongChecksum_IsRefusedNamingSha256()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.UploadCsvAsync("bad", TestJobs.QuadrantsCsv(), sha256: new string('0', 64)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("sha256: ", error.Status.Detail);
    }

    private static void Spoil(SubmitJobRequest request, string bad)
    {
        switch (bad)
        {
            case "no network": request.ClearNetwork(); break;
            case "empty layers": request.Spec.Layers.Clear(); break;
            case "absurd layer": request.Spec.Layers[0].Outputs = int.MaxValue; break;
            case "input size mismatch": request.Spec.InputSize = 3; break;
            case "output size mismatch": request.Spec.Layers[1].Outputs = 5; break;
            case "unknown activation": request.Spec.Layers[0].Activation = (Activation)42; break;
            case "unknown optimizer": request.Training.Optimizer.Kind = (OptimizerKind)42; break;
            case "negative learning rate": request.Training.Optimizer.LearningRate = -1; break;
            case "NaN learning rate": request.Training.Optimizer.LearningRate = float.NaN; break;
            case "negative batch": request.Training.BatchSize = -4; break;
            case "negative epochs": request.Training.Epochs = -1; break;
            case "no dataset": request.Dataset = null; break;
            case "unknown built-in": request.Dataset = new DatasetReference { BuiltIn = "imagenet" }; break;
            case "path with ..": request.Dataset = new DatasetReference { Path = "../etc/passwd" }; break;
            case "absolute path": request.Dataset = new DatasetReference { Path = "/etc/passwd" }; break;
            case "missing path": request.Dataset = new DatasetReference { Path = "nothing-here.csv" }; break;
            case "unknown upload": request.Dataset = new DatasetReference { UploadedId = "ds-0000000000000000" }; break;
            case "too many parameters": request.Spec.Layers[0].Outputs = 1 << 20; request.Spec.Layers.Insert(1, new LayerSpec { Outputs = 1 << 20, Activation = Activation.Tanh }); break;
            default: throw new ArgumentException($"unknown spoiler '{bad}'", nameof(bad));
        }
    }
}
