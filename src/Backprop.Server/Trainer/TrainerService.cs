using Backprop.Protocol.V1;
using Backprop.Server.Jobs;
using Grpc.Core;
using TrainerGrpc = Backprop.Protocol.V1.Trainer;

namespace Backprop.Server.Trainer;

/// <summary>
/// The <c>backprop.v1.Trainer</c> gRPC service: a thin adapter over <see cref="IJobService"/>. Refusals become
/// status codes in <see cref="RejectionInterceptor"/>; the token is checked before the request is decoded, in
/// <see cref="BearerTokenMiddleware"/>; a request that does not decode is <c>InvalidArgument</c>
/// (<see cref="UndecodableRequestBinder"/>).
/// </summary>
[BindServiceMethod(typeof(TrainerService), nameof(BindService))]
internal sealed class TrainerService(IJobService jobs, IHostApplicationLifetime lifetime) : TrainerGrpc.TrainerBase
{
    /// <summary>
    /// Binds the service's methods for grpc-dotnet (found through the attribute above, in place of the generated
    /// <c>Trainer.BindService</c>), with request deserializers that refuse an undecodable body as the client's fault.
    /// </summary>
    /// <remarks>
    /// The second parameter is the generated base type, as in <c>Trainer.BindService</c>: grpc-dotnet takes it for the
    /// type that declares the service's methods, and binds only overrides of its methods.
    /// </remarks>
    public static void BindService(ServiceBinderBase binder, TrainerGrpc.TrainerBase service) =>
        TrainerGrpc.BindService(new UndecodableRequestBinder(binder), service);

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
    /// <remarks>
    /// A watch ends with <see cref="StatusCode.Unavailable"/> when the node stops: an open stream would otherwise hold
    /// the host's shutdown for its whole timeout (20 s), and with it the restart of a downed coordinator.
    /// </remarks>
    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<WatchJobResponse> responseStream, ServerCallContext context)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var response in jobs.WatchAsync(request.JobId, request.EverySteps, watching.Token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(response, watching.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator is stopping; watch the job again once it is back"));
        }
    }

    /// <inheritdoc />
    public override Task<GetModelResponse> GetModel(GetModelRequest request, ServerCallContext context) =>
        Task.FromResult(jobs.GetModel(request.JobId));

    /// <inheritdoc />
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context) =>
        Task.FromResult(jobs.Predict(request));
}
