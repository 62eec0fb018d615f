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
    private TensorLinkListener? _links;

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
        Receive<TensorLinkOpened>(OnTensorLinkOpened);
        Receive<WeightsArrived>(OnWeightsArrived);
        Receive<TensorLinkClosed>(closed =>
        {
            if (_jobs.TryGetValue(closed.JobId, out var job) && job.Link == closed.Link)
            {
                _log.Warning("job {0}: tensor link closed: {1}", closed.JobId, closed.Reason);
                // Closing our end is what tells the coordinator (its reader stops): left open, θ would be written to a
                // link no one reads, and this worker would wait for it for the rest of the job.
                closed.Link.Dispose();
                job.Link = null;
            }
        });
    }

    /// <summary>Props of the worker, on its own thread so long passes never hold up other actors.</summary>
    public static Props Props(ClusterOptions options) =>
        Akka.Actor.Props.Create(() => new GradientWorker(options)).WithDispatcher(ClusterHocon.ComputeDispatcher);

    /// <inheritdoc />
    protected override void PreStart()
    {
        if (!_options.DirectTensorLinks)
        {
            return;
        }

        try
        {
            _links = TensorLinkListener.Start(_options.Hostname, _options.TensorLinkPort, _options.AdvertisedHostname, _options.TensorSendTimeout, Self);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // A taken TensorLinkPort must not cost the node its worker: tensors then travel as remoting chunks.
            Context.GetLogger().Warning("no tensor links: cannot listen on {0}:{1} ({2}); tensors go by remoting", _options.Hostname, _options.TensorLinkPort, e.Message);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _links?.Dispose();
        foreach (var job in _jobs.Values)
        {
            job.Dispose();
        }

        _jobs.Clear();
    }

    private void OnJoinJob(JoinJob join)
    {
        Leave(join.JobId);
        WorkerJob? job = null;
        try
        {
            job = new WorkerJob(join, _options.EffectiveWorkerThreads);
            job.Data = _datasets.Find(join.Dataset);
            if (job.Data is null)
            {
                _datasets.ExpectShipment(join.Dataset);
            }
        }
        // A request this node cannot hold (buffers past the largest array, or past its memory) costs this job its
        // worker, answered as an error: thrown, it would restart the actor and lose every job on the node, unanswered.
        catch (Exception e) when (e is InvalidDataException or Core.InvalidInputException or ArgumentException or OverflowException or OutOfMemoryException)
        {
            job?.Dispose();
            Sender.Tell(new JobJoined { JobId = join.JobId, Error = $"cannot join job {join.JobId}: {e.Message}" });
            return;
        }

        _jobs[join.JobId] = job;
        Sender.Tell(Joined(join.JobId, datasetReady: job.Data is not null));
    }

    private JobJoined Joined(string jobId, bool datasetReady) => new()
    {
        JobId = jobId,
        DatasetReady = datasetReady,
        Threads = _options.EffectiveWorkerThreads,
        TensorEndpoint = _links?.Endpoint ?? "",
    };

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
            Sender.Tell(Joined(shipped.JobId, datasetReady: true));
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
            Sender.Tell(new ShardFailed { JobId = update.JobId, Step = update.Version, Reason = $"weights of step {update.Version} rejected: {e.Message}" });
        }
    }

    private void OnTensorLinkOpened(TensorLinkOpened opened)
    {
        if (!_jobs.TryGetValue(opened.JobId, out var job))
        {
            opened.Link.Dispose();
            return;
        }

        job.Link?.Dispose();
        job.Link = opened.Link;
        var self = Self;
        opened.Link.Start(
            job.TensorBuffers,
            (header, parameters) => self.Tell(new WeightsArrived(opened.JobId, header.Step, parameters)),
            reason => self.Tell(new TensorLinkClosed(opened.JobId, opened.Link, reason)));
    }

    private void OnWeightsArrived(WeightsArrived arrived)
    {
        if (!_jobs.TryGetValue(arrived.JobId, out var job))
        {
            return;
        }

        job.UseWeights(arrived.Parameters, arrived.Version);
        while (job.Waiting.TryPeek(out var waiting) && waiting.Compute.Step <= job.Version)
        {
            job.Waiting.Dequeue();
            if (waiting.Compute.Step == job.Version)
            {
                Compute(job, waiting.Compute, waiting.Sender);
            }
        }
    }

    private void OnComputeGradients(ComputeGradients compute)
    {
        if (!_jobs.TryGetValue(compute.JobId, out var job))
        {
            return;
        }

        // Over a tensor link θ may still be on its way (it does not share remoting's ordering): the blocks wait for it.
        if (job.Version < compute.Step)
        {
            job.Waiting.Enqueue((compute, Sender));
            return;
        }

        // Blocks moved here late in a step that has since finished (θ of a later step already came over the link).
        if (job.Version > compute.Step)
        {
            return;
        }

        Compute(job, compute, Sender);
    }

    private void Compute(WorkerJob job, ComputeGradients compute, IActorRef replyTo)
    {
        foreach (var shard in compute.Shards)
        {
            try
            {
                var (header, sums) = job.Compute(compute.Step, shard);
                if (job.Link is { } link)
                {
                    // The sums are valid until the next block: the link's writer gets a copy of its own, and gives it back.
                    var buffers = job.TensorBuffers;
                    var copy = buffers.Rent();
                    sums.Span.CopyTo(copy);
                    if (link.TrySend(header, copy, () => buffers.Return(copy), out var failure))
                    {
                        continue;
                    }

                    buffers.Return(copy);
                    _log.Warning("job {0}: tensor link failed, sending by remoting: {1}", job.Join.JobId, failure);
                    job.Link = null;
                }

                var (chunks, result) = job.ToMessages(header, sums.Span, _options.ChunkBytes);
                foreach (var chunk in chunks)
                {
                    replyTo.Tell(chunk);
                }

                replyTo.Tell(result);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentOutOfRangeException)
            {
                replyTo.Tell(new ShardFailed { JobId = compute.JobId, Step = compute.Step, FirstLeaf = shard.FirstLeaf, EndLeaf = shard.EndLeaf, Reason = e.Message });
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
