using Backprop.Protocol.V1;
using Backprop.Server.Jobs;
using Grpc.Core;
using TrainerGrpc = Backprop.Protocol.V1.Trainer;

namespace Backprop.Server.Trainer;

/// <summary>
/// The <c>backprop.v1.Trainer</c> gRPC service: a thin adapter over <see cref="IJobService"/>. Refusals become
/// status codes in <see cref="RejectionInterceptor"/>; the token is checked in <see cref="BearerTokenInterceptor"/>.
/// </summary>
internal sealed class TrainerService(IJobService jobs) : TrainerGrpc.TrainerBase
{
    /// <inheritdoc />
    public override async Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context) =>
        new() { JobId = await jobs.SubmitAsync(request, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc />
    public override async Task<UploadDatasetResponse> UploadDataset(IAsyncStreamReader<UploadDatasetRequest> requestStream, ServerCallContext context)
    {
        var dataset = await jobs.UploadAsync(requestStream.ReadAllAsync(context.CancellationToken), context.CancellationToken).ConfigureAwait(false);
        return new UploadDatasetResponse { DatasetId = dataset.DatasetId, SizeBytes = dataset.SizeBytes };
    }

    /// <inheritdoc />
    public override Task<GetJobResponse> GetJob(GetJobRequest request, ServerCallContext context) =>
        Task.FromResult(new GetJobResponse { Job = jobs.Get(request.JobId) });

    /// <inheritdoc />
    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var response = new ListJobsResponse();
        response.Jobs.Add(jobs.List(request.State));
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override async Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context) =>
        new() { Job = await jobs.CancelAsync(request.JobId, context.CancellationToken).ConfigureAwait(false) };

    /// <inheritdoc />
    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context)
    {
        await foreach (var response in jobs.WatchAsync(request.JobId, request.EverySteps, context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task<GetModelResponse> GetModel(GetModelRequest request, ServerCallContext context) =>
        Task.FromResult(jobs.GetModel(request.JobId));

    /// <inheritdoc />
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
        Task.FromResult(jobs.Predict(request));
}
