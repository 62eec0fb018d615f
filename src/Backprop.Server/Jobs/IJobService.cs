using Backprop.Protocol.V1;

namespace Backprop.Server.Jobs;

/// <summary>
/// What the Trainer gRPC service does, free of gRPC: every method throws
/// <see cref="Trainer.RequestRejectedException"/> for a request it refuses.
/// </summary>
public interface IJobService
{
    /// <summary>Validates, persists and queues a job; returns its id once the record is on disk.</summary>
    Task<string> SubmitAsync(SubmitJobRequest request, CancellationToken cancellation);

    /// <summary>Stores an uploaded dataset on the data volume.</summary>
    Task<UploadedDataset> UploadAsync(IAsyncEnumerable<UploadDatasetRequest> messages, CancellationToken cancellation);

    /// <summary>The job's status now.</summary>
    JobStatus Get(string jobId);

    /// <summary>Every job in <paramref name="state"/> (unspecified: every job), oldest first.</summary>
    IReadOnlyList<JobStatus> List(JobState state);

    /// <summary>
    /// Stops a queued or running job; returns its status once it is cancelled, or as it stands when it takes longer
    /// than a few seconds to stop (still running: it stops at its next step).
    /// </summary>
    Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellation);

    /// <summary>The job as it stands, then its events, ending with its final state.</summary>
    IAsyncEnumerable<WatchJobResponse> WatchAsync(string jobId, int everySteps, CancellationToken cancellation);

    /// <summary>The model of a job that succeeded.</summary>
    GetModelResponse GetModel(string jobId);

    /// <summary>Outputs and arg-max classes of a succeeded job's model for a batch of inputs.</summary>
    PredictResponse Predict(PredictRequest request);
}
