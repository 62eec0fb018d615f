using Akka.Actor;
using Akka.Event;
using Backprop.Cluster.Hosting;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Worker;

/// <summary>
/// The gradient worker of a worker node (/user/gradient-worker): joins jobs, keeps their samples in a
/// <see cref="DatasetCache"/> and their latest weights, and answers <see cref="ComputeGradients"/> with the
/// tree-summed gradients of each block, computed by Backprop.Core on all of the node's threads.
/// Errors go back to the coordinator as replies (<see cref="JobJoined.Error"/>, <see cref="ShardFailed"/>).
/// </summary>
public sealed class GradientWorker : ReceiveActor
{
    private readonly ClusterOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DatasetCache _datasets = new();
    private readonly Dictionary<string, WorkerJob> _jobs = [];

    /// <summary>A worker computing on <see cref="ClusterOptions.EffectiveWorkerThreads"/> threads.</summary>
    public GradientWorker(ClusterOptions options)
    {
        _options = options;
        Receive<JoinJob>(OnJoinJob);
        Receive<DatasetChunk>(OnDatasetChunk);
        Receive<DatasetShipped>(OnDatasetShipped);
        Receive<TensorChunk>(OnTensorChunk);
        Receive<WeightsUpdate>(OnWeightsUpdate);
        Receive<ComputeGradients>(OnComputeGradients);
        Receive<LeaveJob>(leave => Leave(leave.JobId));
    }

    /// <summary>Props of the worker, on its own thread so long passes never hold up other actors.</summary>
    public static Props Props(ClusterOptions options) =>
        Akka.Actor.Props.Create(() => new GradientWorker(options)).WithDispatcher(ClusterHocon.ComputeDispatcher);

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var job in _jobs.Values)
        {
            job.Dispose();
        }

        _jobs.Clear();
    }

    private void OnJoinJob(JoinJob join)
    {
        Leave(join.JobId);
        WorkerJob job;
        try
        {
            job = new WorkerJob(join, _options.EffectiveWorkerThreads);
        }
        catch (Exception e) when (e is InvalidDataException or Core.InvalidInputException or ArgumentException)
        {
            Sender.Tell(new JobJoined { JobId = join.JobId, Error = e.Message });
            return;
        }

        _jobs[join.JobId] = job;
        job.Data = _datasets.Find(join.Dataset);
        if (job.Data is null)
        {
            _datasets.ExpectShipment(join.Dataset);
        }

        Sender.Tell(new JobJoined { JobId = join.JobId, DatasetReady = job.Data is not null, Threads = _options.EffectiveWorkerThreads });
    }

    private void OnDatasetChunk(DatasetChunk chunk)
    {
        try
        {
            _datasets.Accept(chunk);
        }
        catch (InvalidDataException e)
        {
            _log.Warning("dataset chunk dropped: {0}", e.Message);
        }
    }

    private void OnDatasetShipped(DatasetShipped shipped)
    {
        if (!_jobs.TryGetValue(shipped.JobId, out var job))
        {
            return;
        }

        try
        {
            job.Data = _datasets.CompleteShipment(shipped.DatasetId, shipped.ChunkCount);
            Sender.Tell(new JobJoined { JobId = shipped.JobId, DatasetReady = true, Threads = _options.EffectiveWorkerThreads });
        }
        catch (InvalidDataException e)
        {
            Sender.Tell(new JobJoined { JobId = shipped.JobId, Error = e.Message });
        }
    }

    private void OnTensorChunk(TensorChunk chunk)
    {
        if (_jobs.TryGetValue(chunk.JobId, out var job))
        {
            try
            {
                job.Weights.Accept(0, chunk);
            }
            catch (InvalidDataException e)
            {
                _log.Warning("job {0}: weight chunk dropped: {1}", chunk.JobId, e.Message);
            }
        }
    }

    private void OnWeightsUpdate(WeightsUpdate update)
    {
        if (!_jobs.TryGetValue(update.JobId, out var job))
        {
            return;
        }

        try
        {
            job.UseWeights(job.Weights.Complete(0, update.TransferId, update.ChunkCount, update.Checksum), update.Version);
        }
        catch (InvalidDataException e)
        {
            // The next ComputeGradients for this version fails with a clear reason.
            _log.Warning("job {0}: weights of step {1} rejected: {2}", update.JobId, update.Version, e.Message);
        }
    }

    private void OnComputeGradients(ComputeGradients compute)
    {
        if (!_jobs.TryGetValue(compute.JobId, out var job))
        {
            return;
        }

        foreach (var shard in compute.Shards)
        {
            try
            {
                var (chunks, result) = job.Compute(compute.Step, shard, _options.ChunkBytes);
                foreach (var chunk in chunks)
                {
                    Sender.Tell(chunk);
                }

                Sender.Tell(result);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
            {
                Sender.Tell(new ShardFailed { JobId = compute.JobId, Step = compute.Step, FirstLeaf = shard.FirstLeaf, EndLeaf = shard.EndLeaf, Reason = e.Message });
            }
        }
    }

    private void Leave(string jobId)
    {
        if (_jobs.Remove(jobId, out var job))
        {
            job.Dispose();
        }
    }
}
