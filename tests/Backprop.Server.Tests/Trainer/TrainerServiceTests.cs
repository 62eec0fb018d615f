using System.Text;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Jobs;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using CoreTrainer = Backprop.Core.Training.Trainer;

namespace Backprop.Server.Tests.Trainer;

/// <summary>One node serving the Trainer service to every test of <see cref="TrainerServiceTests"/>.</summary>
public sealed class SharedTrainerServer : IAsyncLifetime
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-trainer-").FullName;

    internal TrainerServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TrainerServer.StartAsync(_dataRoot, "Cluster:MaxConcurrentJobs=2");

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dataRoot, recursive: true);
    }
}

/// <summary>The test classes that share one <see cref="SharedTrainerServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TrainerServerCollection : ICollectionFixture<SharedTrainerServer>
{
    public const string Name = "trainer server";
}

/// <summary>The generated client against a real in-process server over HTTP/2.</summary>
[Collection(TrainerServerCollection.Name)]
public sealed class TrainerServiceTests(SharedTrainerServer shared)
{
    private readonly Protocol.V1.Trainer.TrainerClient _client = shared.Server.Client();

    [Fact]
    public async Task Lifecycle_UploadSubmitWatchModelPredict_EqualsTrainingInProcess()
    {
        var csv = TestJobs.QuadrantsCsv();
        var upload = await _client.UploadCsvAsync("quadrants", csv);
        var request = TestJobs.Request(new DatasetReference { UploadedId = upload.DatasetId });

        var jobId = (await _client.SubmitJobAsync(request)).JobId;
        var events = await _client.WatchToEndAsync(jobId);
        var model = (await _client.GetModelAsync(new GetModelRequest { JobId = jobId })).Model;

        // The same job trained by the single-process trainer, from the same file.
        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "quadrants.csv");
        await File.WriteAllBytesAsync(file, csv);
        var local = TrainLocally(request, DatasetLoader.Load(file, null, Core.Data.Tables.TableOptions.Default, standardize: false, request.Training.Seed));
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        var epochs = events.Where(e => e.EventCase == WatchJobResponse.EventOneofCase.EpochFinished).Select(e => e.EpochFinished).ToList();
        Assert.Equal([1, 2, 3], epochs.Select(epoch => epoch.Epoch));
        Assert.All(epochs, epoch => Assert.False(epoch.HasTestLoss || epoch.HasTestAccuracy, "a CSV upload has no test part"));
        Assert.Equal(local.Parameters, ModelConverter.ModelFrom(model, "model").Parameters);

        var inputs = new float[] { 0.5f, 0.5f, -0.5f, 0.5f, 0.25f, -0.75f };
        var predicted = await _client.PredictAsync(new PredictRequest { JobId = jobId, Inputs = TensorBytes.From(inputs), Rows = 3 });
        var expected = ModelPredictor.Predict(new Core.Model.TrainedModel(local, Core.Model.ModelMetadata.None), new PredictRequest { Inputs = TensorBytes.From(inputs), Rows = 3 }, 10);
        Assert.Equal(TensorBytes.ToArray(expected.Outputs, "outputs"), TensorBytes.ToArray(predicted.Outputs, "outputs"));
        Assert.Equal(expected.Classes, predicted.Classes);
    }

    [Fact]
    public async Task Lifecycle_HeaderCsvWithNamedClassesStandardized_ModelKeepsNamesAndPredictAppliesThem()
    {
        var rows = Encoding.UTF8.GetString(TestJobs.QuadrantsCsv()).Replace(",1\n", ",same\n", StringComparison.Ordinal).Replace(",0\n", ",opposite\n", StringComparison.Ordinal);
        var csv = Encoding.UTF8.GetBytes($"x,y,sign\n{rows}");
        var upload = await _client.UploadCsvAsync("named quadrants", csv);
        var request = TestJobs.Request(new DatasetReference { UploadedId = upload.DatasetId, Standardize = true });

        var jobId = (await _client.SubmitJobAsync(request)).JobId;
        var events = await _client.WatchToEndAsync(jobId);
        var model = (await _client.GetModelAsync(new GetModelRequest { JobId = jobId })).Model;

        var file = Path.Combine(Directory.CreateTempSubdirectory().FullName, "quadrants.csv");
        await File.WriteAllBytesAsync(file, csv);
        var data = DatasetLoader.Load(file, null, Core.Data.Tables.TableOptions.Default, standardize: true, request.Training.Seed);
        var local = new TrainedModel(TrainLocally(request, data), ModelMetadata.Of(data));
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        Assert.Equal(["x", "y"], model.FeatureNames);
        Assert.Equal(["opposite", "same"], model.LabelNames);
        Assert.Equal(local.Metadata.Standardization!.Mean, TensorBytes.ToArray(model.Standardization.Mean, "mean"));
        Assert.Equal(local.Network.Parameters, ModelConverter.ModelFrom(model, "model").Parameters);

        var inputs = new float[] { 0.5f, 0.5f, -0.5f, 0.5f };
        var predicted = await _client.PredictAsync(new PredictRequest { JobId = jobId, Inputs = TensorBytes.From(inputs), Rows = 2 });
        var expected = ModelPredictor.Predict(local, new PredictRequest { Inputs = TensorBytes.From(inputs), Rows = 2 }, 10);
        Assert.Equal(TensorBytes.ToArray(expected.Outputs, "outputs"), TensorBytes.ToArray(predicted.Outputs, "outputs"));
        Assert.Equal(expected.Labels, predicted.Labels);
        Assert.Equal(predicted.Classes.Select(k => model.LabelNames[k]), predicted.Labels);
    }

    [Fact]
    public async Task WatchJob_JobAlreadyFinished_SendsItsFinalStateAndEnds()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 2, batchSize: 4))).JobId;
        await _client.WatchToEndAsync(jobId);

        var late = await _client.WatchToEndAsync(jobId);

        var only = Assert.Single(late);
        Assert.Equal(JobState.Succeeded, only.Job.State);
        Assert.Equal(WatchJobResponse.EventOneofCase.None, only.EventCase);
    }

    [Fact]
    public async Task WatchJob_ManyWatchersAtOnce_EachSeesEveryEpochAndTheEnd()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 20, batchSize: 4))).JobId;

        var watches = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.WatchToEndAsync(jobId)));

        foreach (var events in watches)
        {
            Assert.Equal(JobState.Succeeded, events[^1].Job.State);
            Assert.Equal(WatchJobResponse.EventOneofCase.StateChanged, events[^1].EventCase);
            // A watcher that came after some epochs sees the rest, in order.
            var epochs = events.Where(e => e.EventCase == WatchJobResponse.EventOneofCase.EpochFinished).Select(e => e.EpochFinished.Epoch).ToList();
            Assert.Equal(Enumerable.Range(21 - epochs.Count, epochs.Count), epochs);
        }
    }

    [Fact]
    public async Task WatchJob_EveryStepsGiven_SendsProgressOnThoseSteps()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 12, batchSize: 4))).JobId;

        var events = await _client.WatchToEndAsync(jobId, everySteps: 5);

        var steps = events.Where(e => e.EventCase == WatchJobResponse.EventOneofCase.Progress).Select(e => e.Progress.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, step => Assert.True(step % 5 == 0 || step == 12, $"progress at step {step}"));
    }

    [Fact]
    public async Task CancelJob_Running_EndsCancelledAndWatchersSeeWhy()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Spirals, epochs: 1000, batchSize: 8))).JobId;
        using var watch = _client.WatchJob(new WatchJobRequest { JobId = jobId, EverySteps = 1 });
        await WaitForStepAsync(watch.ResponseStream);

        var cancelled = (await _client.CancelJobAsync(new CancelJobRequest { JobId = jobId })).Job;

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal("cancelled by a client", cancelled.Reason);
        WatchJobResponse? last = null;
        await foreach (var response in watch.ResponseStream.ReadAllAsync())
        {
            last = response;
        }

        Assert.Equal(JobState.Cancelled, last!.Job.State);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.CancelJobAsync(new CancelJobRequest { JobId = jobId }));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task ListJobs_StateFilter_ListsOnlyJobsInThatState()
    {
        var jobId = (await _client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 1, batchSize: 4))).JobId;
        await _client.WatchToEndAsync(jobId);

        var succeeded = (await _client.ListJobsAsync(new ListJobsRequest { State = JobState.Succeeded })).Jobs;
        var all = (await _client.ListJobsAsync(new ListJobsRequest())).Jobs;

        Assert.Contains(succeeded, job => job.JobId == jobId);
        Assert.All(succeeded, job => Assert.Equal(JobState.Succeeded, job.State));
        Assert.Contains(all, job => job.JobId == jobId && job.Name == "test" && job.Step == job.TotalSteps && job.HasTestAccuracy);
    }

    [Fact]
    public async Task Health_Always_Serving()
    {
        var health = new Health.HealthClient(shared.Server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest());
        var trainer = await health.CheckAsync(new HealthCheckRequest { Service = "backprop.v1.Trainer" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, trainer.Status);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesTheTrainer()
    {
        var reflection = new ServerReflection.ServerReflectionClient(shared.Server.Channel);
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());

        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, service => service.Name == "backprop.v1.Trainer");
    }

    private static async Task WaitForStepAsync(IAsyncStreamReader<WatchJobResponse> stream)
    {
        while (await stream.MoveNext())
        {
            if (stream.Current.EventCase == WatchJobResponse.EventOneofCase.Progress)
            {
                return;
            }
        }

        throw new InvalidOperationException("the watch ended before the first step");
    }

    /// <summary>The weights the single-process trainer gives for <paramref name="request"/> on <paramref name="data"/>.</summary>
    internal static Network TrainLocally(SubmitJobRequest request, DatasetSplit data)
    {
        var job = JobRequestReader.Read(request, new Backprop.Server.Trainer.TrainerOptions());
        var network = JobNetworkFactory.Create(job, data.Train, new Backprop.Server.Trainer.TrainerOptions());
        using var trainer = new CoreTrainer(network, data, job.Options);
        foreach (var _ in trainer.Run())
        {
        }

        return network;
    }
}
