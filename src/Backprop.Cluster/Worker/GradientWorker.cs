using Akka.Actor;
using Akka.Event;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;
using Backprop.Cluster.Transfer;
using Backprop.Core.Training;
using Backprop.Protocol;
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

    /// <summary>The node's certificates for tensor links when Cluster:Tls is on.</summary>
    private ClusterCertificates? _tls;

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
        Receive<LinkFrameArrived>(OnLinkFrameArrived);
        Receive<PeerLinkConnected>(connected =>
        {
            if (!_jobs.TryGetValue(connected.JobId, out var job) || job.Peers is null)
            {
                connected.Link.Dispose();
            }
            else if (!job.Peers.Connected(connected.Peer, connected.Link))
            {
                ReductionFailed(job, $"the link to slice owner {connected.Peer} failed");
            }
        });
        Receive<PeerLinkFailed>(failed =>
        {
            if (_jobs.TryGetValue(failed.JobId, out var job) && job.Peers is not null && job.Peers.Failed(failed.Peer, failed.Link))
            {
                ReductionFailed(job, $"the link to slice owner {failed.Peer}: {failed.Reason}");
            }
        });
        Receive<TensorLinkRefused>(refused => _log.Warning(
            "tensor link port: {0}{1}", refused.Reason, refused.NotReported > 0 ? $" (and {refused.NotReported} more refused since the last report)" : ""));
        Receive<TensorLinkClosed>(closed =>
        {
            if (!_jobs.TryGetValue(closed.JobId, out var job))
            {
                return;
            }

            if (job.Link == closed.Link)
            {
                _log.Warning("job {0}: tensor link closed: {1}", closed.JobId, closed.Reason);
                // Closing our end is what tells the coordinator (its reader stops): left open, θ would be written to a
                // link no one reads, and this worker would wait for it for the rest of the job.
                closed.Link.Dispose();
                job.Link = null;
            }
            else if (job.InboundPeers.Remove(closed.Link))
            {
                // A peer's link ends with its job or its node; what it still owed this round, the coordinator runs again.
                closed.Link.Dispose();
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
            _tls = _options.Tls.Enabled ? ClusterCertificates.Load(_options.Tls) : null;
            _links = TensorLinkListener.Start(_options.Hostname, _options.TensorLinkPort, _options.AdvertisedHostname, _options.TensorSendTimeout, _tls, Self);
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
        _tls?.Dispose();
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

        var fromCoordinator = opened.Peer.Length == 0;
        if (fromCoordinator)
        {
            job.Link?.Dispose();
            job.Link = opened.Link;
        }
        else
        {
            job.InboundPeers.Add(opened.Link);
        }

        var self = Self;
        var jobId = opened.JobId;
        opened.Link.Start(
            job.TensorBuffers,
            (header, values) => self.Tell(new LinkFrameArrived(jobId, header, values, fromCoordinator)),
            reason => self.Tell(new TensorLinkClosed(jobId, opened.Link, reason)),
            acceptSlices: true);
    }

    private void OnLinkFrameArrived(LinkFrameArrived arrived)
    {
        if (!_jobs.TryGetValue(arrived.JobId, out var job))
        {
            return;
        }

        var header = arrived.Header;
        switch (header.Kind)
        {
            case TensorFrameKind.Whole when arrived.FromCoordinator && header.IsWhole(job.TensorBuffers.ValueCount):
                WeightsArrived(job, arrived.Values, header.Step);
                break;
            case TensorFrameKind.GatherWeights:
                if (arrived.FromCoordinator)
                {
                    ForwardWeights(job, header, arrived.Values);
                }

                GatherWeights(job, header, arrived.Values);
                break;
            case TensorFrameKind.ScatterSums when !arrived.FromCoordinator:
                SendReduced(job, job.Slices.Add(header, arrived.Values));
                break;
            default:
                _log.Warning("job {0}: a {1} frame from {2} dropped", arrived.JobId, header.Kind, arrived.FromCoordinator ? "the coordinator" : "a peer");
                job.TensorBuffers.Return(arrived.Values);
                break;
        }
    }

    /// <summary>θ of <paramref name="version"/> is complete: the worker takes it and computes the blocks that waited for it.</summary>
    private void WeightsArrived(WorkerJob job, float[] parameters, long version)
    {
        if (version <= job.Version)
        {
            // Sent again (a replanned step) or gathered as well: the worker has it.
            job.TensorBuffers.Return(parameters);
            return;
        }

        if (job.Gather.Version <= version)
        {
            job.Gather.Reset();
        }

        job.UseWeights(parameters, version);
        while (job.Waiting.TryPeek(out var waiting) && waiting.Compute.Step <= job.Version)
        {
            job.Waiting.Dequeue();
            if (waiting.Compute.Step == job.Version)
            {
                Compute(job, waiting.Compute, waiting.Sender);
            }
        }
    }

    /// <summary>A bucket of θ of a step (all-gather): kept until the step's θ is whole.</summary>
    private void GatherWeights(WorkerJob job, TensorFrameHeader header, float[] values)
    {
        var whole = header.Step > job.Version ? job.Gather.Add(header, values) : null;
        job.TensorBuffers.Return(values);
        if (whole is not null)
        {
            WeightsArrived(job, whole, header.Step);
        }
    }

    /// <summary>A bucket of θ this worker owns, from the coordinator: passed on to the round's other slice owners.</summary>
    private void ForwardWeights(WorkerJob job, TensorFrameHeader header, float[] values)
    {
        if (!job.Rounds.TryGetValue(header.Round, out var round) || job.Peers is not { } peers)
        {
            return;
        }

        foreach (var owner in round.Owners.Where(owner => owner.Id != round.Self))
        {
            if (!peers.SendCopy(round.Self, owner.Id, owner.TensorEndpoint, header, values))
            {
                ReductionFailed(job, $"the link to slice owner {owner.Id} failed");
            }
        }
    }

    private void OnComputeGradients(ComputeGradients compute)
    {
        if (!_jobs.TryGetValue(compute.JobId, out var job))
        {
            return;
        }

        job.Coordinator = Sender;
        if (compute.Reduction is { } reduction)
        {
            BeginRound(job, compute.Step, reduction);
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

    /// <summary>
    /// Starts reduction round <paramref name="reduction"/> (once; its blocks may come in several messages): the buckets this
    /// worker owns start empty, and take what peers sent ahead of this message.
    /// </summary>
    private void BeginRound(WorkerJob job, long step, Reduction reduction)
    {
        if (job.Rounds.ContainsKey(reduction.Round))
        {
            return;
        }

        job.Rounds[reduction.Round] = reduction;
        // The all-gather of a round's θ follows the next round's start by at most a message or two.
        foreach (var old in job.Rounds.Keys.Where(round => round < reduction.Round - 3).ToList())
        {
            job.Rounds.Remove(old);
        }

        job.Peers ??= new PeerLinks(job.Join.JobId, Self, job.TensorBuffers, _options.TensorSendTimeout, _tls);
        var layout = job.LayoutOf(reduction);
        var owned = layout.Owners.Contains(reduction.Self) ? layout.BucketsOf(reduction.Self) : [];
        SendReduced(job, job.Slices.Begin(reduction.Round, step, reduction.LeafCount, owned));
    }

    private void Compute(WorkerJob job, ComputeGradients compute, IActorRef replyTo)
    {
        // Blocks of a round given up for a later one (the step runs again): their sums would be dropped everywhere.
        if (compute.Reduction is { } stale && stale.Round < job.Slices.Round)
        {
            return;
        }

        foreach (var shard in compute.Shards)
        {
            try
            {
                var (header, sums) = job.Compute(compute.Step, shard);
                if (compute.Reduction is { } reduction && job.Link is { } coordinatorLink)
                {
                    Scatter(job, reduction, header, sums.Span);
                    ReportBlock(job, coordinatorLink, header, reduction.Round);
                    continue;
                }

                if (job.Link is { } link)
                {
                    // The sums are valid until the next block: the link's writer gets a copy of its own, and gives it back.
                    if (link.TrySendCopy(header, sums.Span, job.TensorBuffers, out var failure))
                    {
                        continue;
                    }

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

    /// <summary>
    /// Sends each bucket of a block's sums to the bucket's owner, and adds those of the buckets this worker owns to its own
    /// reduction (reduce-scatter).
    /// </summary>
    private void Scatter(WorkerJob job, Reduction reduction, TensorFrameHeader block, ReadOnlySpan<float> sums)
    {
        var layout = job.LayoutOf(reduction);
        foreach (var owner in reduction.Owners)
        {
            if (owner.Id == reduction.Self)
            {
                continue;
            }

            foreach (var bucket in layout.BucketsOf(owner.Id))
            {
                var slice = sums.Slice(bucket.Offset, bucket.Length);
                var header = block with
                {
                    Offset = bucket.Offset, ValueCount = bucket.Length, Checksum = TensorChecksum.Of(slice),
                    Kind = TensorFrameKind.ScatterSums, Round = reduction.Round,
                };
                if (!job.Peers!.SendCopy(reduction.Self, owner.Id, owner.TensorEndpoint, header, slice))
                {
                    ReductionFailed(job, $"the link to slice owner {owner.Id} failed");
                    return;
                }
            }
        }

        if (reduction.Round == job.Slices.Round)
        {
            SendReduced(job, job.Slices.AddOwn(new LeafRange(block.FirstLeaf, block.EndLeaf), sums));
        }
    }

    /// <summary>Tells the coordinator that a block is done (its sums went to the slice owners): its plan, clock and loss.</summary>
    private void ReportBlock(WorkerJob job, TensorLink link, TensorFrameHeader block, int round)
    {
        var report = block with { Offset = 0, ValueCount = 0, Checksum = TensorChecksum.Of([]), Kind = TensorFrameKind.BlockReport, Round = round };
        if (!link.TrySend(report, ReadOnlyMemory<float>.Empty, () => { }, out var failure))
        {
            // The coordinator hears of the closed link and drops this worker; its blocks run elsewhere.
            _log.Warning("job {0}: tensor link failed: {1}", job.Join.JobId, failure);
            job.Link = null;
        }
    }

    /// <summary>Sends the buckets this worker finished reducing to the coordinator.</summary>
    private void SendReduced(WorkerJob job, IEnumerable<ReducedBucket> done)
    {
        var failed = false;
        foreach (var bucket in done)
        {
            var header = new TensorFrameHeader(
                job.Slices.Step, 0, job.Slices.LeafCount, 0, 0, 0, bucket.Offset, bucket.Sums.Length, TensorChecksum.Of(bucket.Sums))
            {
                Kind = TensorFrameKind.ReducedSums,
                Round = job.Slices.Round,
            };
            if (failed || job.Link is not { } link || !link.TrySend(header, bucket.Sums, () => job.TensorBuffers.Return(bucket.Sums), out _))
            {
                // Every bucket not handed to the link goes back to the pool, not only the one that failed.
                job.TensorBuffers.Return(bucket.Sums);
                failed = true;
            }
        }

        if (failed)
        {
            ReductionFailed(job, "the tensor link to the coordinator failed");
        }
    }

    /// <summary>Tells the coordinator that the current round cannot finish here; it runs the step again.</summary>
    private void ReductionFailed(WorkerJob job, string reason)
    {
        // Info, not a warning: a peer that ends the job a moment before this worker closes its links the same way, and a
        // round that really fails is logged by the coordinator as it runs the step again, with this reason.
        _log.Info("job {0}: reduction round {1} of step {2} failed: {3}", job.Join.JobId, job.Slices.Round, job.Slices.Step, reason);
        job.Coordinator?.Tell(new ReductionFailed { JobId = job.Join.JobId, Step = job.Slices.Step, Round = job.Slices.Round, Reason = reason });
    }

    private void Leave(string jobId)
    {
        if (_jobs.Remove(jobId, out var job))
        {
            job.Dispose();
        }
    }
}
