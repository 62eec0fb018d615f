using System.Collections.Concurrent;
using Backprop.Protocol.V1;
using Grpc.Core;
using TrainerBase = Backprop.Protocol.V1.Trainer.TrainerBase;

namespace Backprop.Cli.Tests.Remote;

/// <summary>A Trainer service that records what it was sent and answers what the test set up.</summary>
internal sealed class FakeTrainer : TrainerBase
{
    /// <summary>Every request, in the order they arrived (an upload's messages one by one).</summary>
    public ConcurrentQueue<object> Requests { get; } = new();

    /// <summary>The authorization header of each call ("" when none).</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    /// <summary>When set, every call throws it.</summary>
    public RpcException? Failure { get; set; }

    public string JobId { get; set; } = "job-1";

    public List<WatchJobResponse> WatchResponses { get; } = [];

    public ListJobsResponse Jobs { get; set; } = new();

    public JobState StateAfterCancel { get; set; } = JobState.Cancelled;

    public GetModelResponse Model { get; set; } = new();

    /// <summary>Answers a predict request; by default class = row index, outputs = the row's inputs doubled.</summary>
    public Func<PredictRequest, PredictResponse> Predictions { get; set; } = Double;

    public T Single<T>() => Assert.Single(Requests.OfType<T>());

    public override Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        Record(request, context);
        return Task.FromResult(new SubmitJobResponse { JobId = JobId });
    }

    public override async Task<UploadDatasetResponse> UploadDataset(IAsyncStreamReader<UploadDatasetRequest> requestStream, ServerCallContext context)
    {
        Record(null, context);
        long size = 0;
        await foreach (var message in requestStream.ReadAllAsync())
        {
            Requests.Enqueue(message);
            size += message.Data.Length;
        }

        return new UploadDatasetResponse { DatasetId = "ds-1", SizeBytes = size };
    }

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        Record(request, context);
        return Task.FromResult(Jobs);
    }

    public override Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        Record(request, context);
        return Task.FromResult(new CancelJobResponse { Job = new JobStatus { JobId = request.JobId, State = StateAfterCancel } });
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context)
    {
        Record(request, context);
        foreach (var response in WatchResponses)
        {
            await responseStream.WriteAsync(response);
        }
    }

    public override Task<GetModelResponse> GetModel(GetModelRequest request, ServerCallContext context)
    {
        Record(request, context);
        return Task.FromResult(Model);
    }

    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
    {
        Record(request, context);
        return Task.FromResult(Predictions(request));
    }

    private static PredictResponse Double(PredictRequest request)
    {
        var inputs = Backprop.Protocol.TensorBytes.ToArray(request.Inputs, "inputs");
        var response = new PredictResponse { Outputs = Backprop.Protocol.TensorBytes.From(inputs.Select(x => x * 2).ToArray()) };
        response.Classes.AddRange(Enumerable.Range(0, request.Rows));
        return response;
    }

    private void Record(object? request, ServerCallContext context)
    {
        Authorizations.Enqueue(context.RequestHeaders.GetValue("authorization") ?? string.Empty);
        if (request is not null)
        {
            Requests.Enqueue(request);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }
    }
}
