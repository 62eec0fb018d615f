using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Cluster.Security;
using Backprop.Cluster.Transfer;
using ModelMetrics = Backprop.Core.Metrics.ModelMetrics;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using ClusterEvent = Akka.Cluster.ClusterEvent;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// Trains one job on the cluster's workers, step by step, with the same results as the single-process
/// <see cref="Core.Training.Trainer"/> (bit for bit) whatever the number of workers or the order results arrive in.
/// </summary>
/// <remarks>
/// Protocol:
/// <list type="number">
/// <item>Find workers: every member with role "worker" that is Up is asked for its gradient worker
/// (Identify); each one found is watched and sent <see cref="JoinJob"/>.</item>
/// <item>A worker answers <see cref="JobJoined"/>. If it could not load or find the samples, they are shipped
/// as <see cref="DatasetChunk"/>s plus <see cref="DatasetShipped"/>, and it answers again once verified.</item>
/// <item>Once <see cref="ClusterOptions.MinWorkers"/> workers are ready (for the first step; later steps
/// need one), step t starts: the minibatch is the
/// t-th slice of the epoch's seeded permutation, cut into leaves of <see cref="TrainingOptions.ShardSize"/>
/// rows; a <see cref="StepPlan"/> gives each ready worker a contiguous range of leaves by throughput,
/// as tree-aligned blocks.</item>
/// <item>Each worker with blocks gets the weights θ_t (TensorChunks + <see cref="WeightsUpdate"/>, version t)
/// unless it has them, then <see cref="ComputeGradients"/> with only the sample indices of its blocks.</item>
/// <item>Each block's gradient sums come back as TensorChunks + <see cref="GradientsComputed"/>, are verified,
/// and go into the fixed reduction tree (<see cref="GradientTreeAccumulator"/>), which adds sibling subtrees as soon as
/// both are in; duplicates and results of other steps are dropped.</item>
/// <item>For a model of <see cref="ClusterOptions.CollectiveMinBytes"/> or more whose step's workers all have tensor links,
/// the step is reduced among them instead (<see cref="StepReductions"/>, docs/cluster.md): <see cref="ComputeGradients"/>
/// names a <see cref="ReductionRound"/>; workers send each bucket of a block's sums to its slice owner and only a block
/// report here; each owner sends its buckets reduced in tree order; the optimizer runs on each bucket as it arrives
/// (<see cref="ReducedStep"/>), and the bucket of the new θ goes back to its owner, which passes it to the other owners.
/// Losing an owner, a late owner or a failed reduction (<see cref="ReductionFailed"/>) runs the step again from θ_t.</item>
/// <item>A worker that dies, starts leaving the cluster or sends a bad transfer is dropped; its outstanding blocks move to
/// live workers within the same step (the result does not change: blocks are the unit of the sum). A worker whose node is
/// unreachable takes no blocks and hands back those it owes until it is reachable again. A worker whose
/// blocks are late by <see cref="StragglerPolicy"/> keeps them, but they are sent to the other workers as well
/// (<see cref="JobWorkerSlow"/>); the first result of each block counts, later ones are dropped.</item>
/// <item>A job that cannot go on for want of workers (fewer than it needs ready, or lost workers' blocks and no one to take
/// them) tells the listener <see cref="JobWaitingForWorkers"/>, once each time it starts waiting. A step that goes
/// <see cref="ClusterOptions.StallTimeout"/> without a block arriving while it has workers is planned again: θ and every
/// outstanding block are sent again (<see cref="JobStepStalled"/>); after a second such wait the job fails naming the blocks
/// and workers it waited on (<see cref="StallWatch"/>).</item>
/// <item>When every block is in, the tree's root holds the step's sums, the optimizer applies sums ÷ batch rows at
/// the schedule's rate, and step t+1 begins. After an epoch's last step the test data is evaluated here; with early
/// stopping (<see cref="TrainingOptions.EarlyStoppingPatience"/>) a job whose validation loss has not improved for that many
/// epochs ends there, and a job that ends keeps its best epoch's θ (<see cref="EarlyStopping"/>, as the single-process trainer). When due
/// (<see cref="ClusterOptions.CheckpointEverySteps"/>, <see cref="ClusterOptions.CheckpointInterval"/>), the listener gets a <see cref="JobCheckpointed"/> with θ, the
/// optimizer's state and the step; a job started with <see cref="TrainingJob.ResumeFrom"/> continues from one exactly.</item>
/// <item>After the last step (or an early stop) the listener gets <see cref="JobSucceeded"/> with the kept θ and its metrics on the
/// test data (<see cref="ModelMetrics"/>), workers get <see cref="LeaveJob"/>,
/// and this actor stops. A failure ends the job the same way with <see cref="JobFailed"/>, and
/// <see cref="CancelTrainingJob"/> with <see cref="JobCancelled"/>.</item>
/// </list>
/// </remarks>
public sealed class TrainingCoordinator : ReceiveActor, IWithTimers
{
    /// <summary>How often outstanding blocks are checked for stragglers, and the step for a stall.</summary>
    private static readonly TimeSpan ProgressCheckInterval = TimeSpan.FromMilliseconds(50);

    private readonly TrainingJob _job;
    private readonly IActorRef _listener;
    private readonly ClusterOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Network _network;
    private readonly Optimizer _optimizer;
    private readonly StepCursor _cursor;
    private readonly JoinJob _joinJob;
    private readonly WorkerRoster _workers = new();
    private readonly TensorBufferPool _buffers;
    private readonly TensorReceiver<string> _receiver;
    private readonly GradientTreeAccumulator _sums;
    /// <summary>The loss sums of a reduction round's blocks, in the same tree (their gradient sums go to the slice owners).</summary>
    private readonly GradientTreeAccumulator _losses = new(0, 0);
    private readonly StepReductions _reductions;
    /// <summary>The step whose θ <see cref="_weights"/> holds (a step run again keeps it, though some buckets may be updated).</summary>
    private long _weightsStep = -1;
    /// <summary>When every block of the current reduced step was in (Stopwatch timestamp); 0: not yet.</summary>
    private long _blocksCompleteAt;
    private readonly WorkerLinks _links;

    /// <summary>The node's certificates for tensor links when Cluster:Tls is on.</summary>
    private readonly ClusterCertificates? _tls;
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _checkpointClock = Stopwatch.StartNew();
    private readonly Stopwatch _jobClock = Stopwatch.StartNew();
    private StallWatch _stall;
    private long _blocksAccepted;
    private bool _waitingForWorkers;
    private long _checkpointStep;
    private List<DatasetChunk>? _datasetChunks;
    private StepPlan? _plan;
    private int[] _batch = [];
    private List<TensorChunk>? _weightChunks;
    private SharedTensor? _weights;
    private double _epochLossSum;
    private int _epochSamples;
    /// <summary>The best epoch and its weights when the job stops early; null without early stopping.</summary>
    private readonly EarlyStopping? _stopping;

    /// <summary>Coordinates <paramref name="job"/>, telling <paramref name="listener"/> what happens.</summary>
    public TrainingCoordinator(TrainingJob job, IActorRef listener, ClusterOptions options)
    {
        _job = job;
        _listener = listener;
        _options = options;
        _network = new Network(job.Network.Spec, (float[])job.Network.Parameters.Clone());
        _cursor = new StepCursor(job.Options, job.Data.Train.Count);
        _optimizer = Optimizer.Create(job.Options.Optimizer, _network.Spec.ParameterCount);
        _stopping = job.Options.EarlyStoppingPatience > 0 ? new EarlyStopping(job.Options.EarlyStoppingPatience, _network.Spec.ParameterCount) : null;
        if (job.ResumeFrom is { } checkpoint)
        {
            Resume(checkpoint);
        }

        _stall = StallWatch.Start(options.StallTimeout, _jobClock.Elapsed);
        _buffers = new TensorBufferPool(_network.Spec.ParameterCount);
        _sums = new GradientTreeAccumulator(0, _network.Spec.ParameterCount);
        _receiver = new TensorReceiver<string>(_buffers);
        _tls = options.Tls.Enabled ? ClusterCertificates.Load(options.Tls) : null;
        _links = new WorkerLinks(job.JobId, Self, _buffers, options.TensorSendTimeout, _tls);
        _reductions = new StepReductions(_network.Spec, options.CollectiveMinBytes);
        _joinJob = new JoinJob
        {
            JobId = job.JobId,
            Network = ModelConverter.NetworkSpecToProto(_network.Spec),
            Loss = ModelConverter.LossToProto(job.Options.Loss),
            ShardSize = job.Options.ShardSize,
            MaxRows = Math.Min(job.Options.BatchSize, job.Data.Train.Count),
            Dataset = DatasetConverter.DescriptorOf(job.Data.Train, job.Source),
        };

        Receive<ClusterEvent.MemberUp>(up => FindWorker(up.Member));
        // A worker that starts leaving (SIGTERM, scale-down) hands its blocks back at once, not after the gossip rounds until removal.
        Receive<ClusterEvent.MemberLeft>(left => DropWorkersAt(left.Member.Address, "is leaving the cluster"));
        Receive<ClusterEvent.MemberExited>(exited => DropWorkersAt(exited.Member.Address, "is leaving the cluster"));
        Receive<ClusterEvent.MemberRemoved>(removed => DropWorkersAt(removed.Member.Address, "left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        // An unreachable worker (crashed, or cut off) gets no blocks and hands back those it owes until it is reachable
        // again or the Split Brain Resolver downs it; a worker that comes back takes blocks from the next step.
        Receive<ClusterEvent.UnreachableMember>(unreachable => SetReachable(unreachable.Member.Address, reachable: false));
        Receive<ClusterEvent.ReachableMember>(reachable => SetReachable(reachable.Member.Address, reachable: true));
        Receive<ActorIdentity>(AddWorker);
        Receive<JobJoined>(OnJobJoined);
        Receive<TensorChunk>(OnTensorChunk);
        Receive<GradientsComputed>(OnGradientsComputed);
        Receive<ShardFailed>(failed =>
        {
            // A failure of a step already finished (its blocks were done elsewhere) changes nothing. Otherwise the worker goes,
            // as when its tensor link fails: one lost chunk of θ costs the job a worker, not the job.
            if (_plan is not null && failed.Step == _plan.Step)
            {
                DropWorker(Sender.Path.ToString(), failed.Reason);
            }
        });
        Receive<CheckProgress>(_ =>
        {
            SpeculateOnStragglers();
            WatchForStall();
        });
        Receive<CancelTrainingJob>(cancel => Stop(new JobCancelled(_job.JobId, cancel.Reason)));
        Receive<Terminated>(terminated => DropWorker(terminated.ActorRef.Path.ToString(), "stopped"));
        Receive<LinkConnected>(OnLinkConnected);
        Receive<LinkNotConnected>(failed =>
        {
            if (_workers.TryGet(failed.Worker.Id, out var worker) && worker == failed.Worker)
            {
                _log.Warning("job {0}: no tensor link to {1} ({2}); tensors go by remoting", _job.JobId, worker.Id, failed.Reason);
                MarkReady(worker);
            }
        });
        Receive<LinkSumsArrived>(OnLinkFrame);
        Receive<ReductionFailed>(failed =>
        {
            if (_reductions.Round is { } round && failed.Round == round.Number)
            {
                RestartStep($"the reduction failed at {Sender.Path}: {failed.Reason}", withoutReduction: true);
            }
        });
        Receive<LinkClosed>(closed =>
        {
            if (_workers.TryGet(closed.Worker, out var worker) && worker.Link == closed.Link)
            {
                DropWorker(closed.Worker, $"tensor link: {closed.Reason}");
            }
        });
    }

    /// <summary>Props of a coordinator for <paramref name="job"/>.</summary>
    public static Props Props(TrainingJob job, IActorRef listener, ClusterOptions options) =>
        Akka.Actor.Props.Create(() => new TrainingCoordinator(job, listener, options));

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _cluster.Subscribe(
            Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(nameof(CheckProgress), CheckProgress.Instance, ProgressCheckInterval);
        // Sent here rather than by the job manager, so that the listener hears it before anything the job says.
        _listener.Tell(new JobStarted(_job.JobId));
        Continue();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _tls?.Dispose();
    }

    private void FindWorker(Member member)
    {
        if (member.HasRole(ClusterRoles.Worker))
        {
            var path = new RootActorPath(member.Address) / "user" / ClusterRoles.GradientWorkerName;
            Context.ActorSelection(path).Tell(new Identify(member.Address));
        }
    }

    private void AddWorker(ActorIdentity identity)
    {
        if (identity.Subject is not { } actor || !_workers.Add(actor))
        {
            return;
        }

        Context.Watch(actor);
        actor.Tell(_joinJob);
    }

    private void OnJobJoined(JobJoined joined)
    {
        if (!_workers.TryGet(Sender.Path.ToString(), out var worker))
        {
            return;
        }

        if (joined.Error.Length > 0)
        {
            DropWorker(worker.Id, joined.Error);
            return;
        }

        worker.Threads = Math.Max(1, joined.Threads);
        worker.TensorEndpoint = joined.TensorEndpoint;
        if (!joined.DatasetReady)
        {
            ShipDataset(worker);
            return;
        }

        if (_options.DirectTensorLinks && joined.TensorEndpoint.Length > 0 && worker.Link is null)
        {
            // The worker takes no blocks until its link is open or has failed (within WorkerLinks.ConnectTimeout): on a
            // reachable node that takes milliseconds, and θ sent by chunks meanwhile would be a slow transfer for nothing.
            _links.Open(worker, joined.TensorEndpoint);
            return;
        }

        MarkReady(worker);
    }

    private void OnLinkConnected(LinkConnected connected)
    {
        if (!_workers.TryGet(connected.Worker.Id, out var worker) || worker != connected.Worker || worker.Link is not null)
        {
            // Dropped (or joined again) while the link was being opened.
            connected.Link.Dispose();
            return;
        }

        _links.Use(worker, connected.Link);
        MarkReady(worker);
    }

    private void MarkReady(JobWorker worker)
    {
        worker.Ready = true;
        _listener.Tell(new JobWorkerChanged(_job.JobId, worker.Id, Joined: true, _workers.ReadyCount, Reason: null));
        Continue();
    }

    private void ShipDataset(JobWorker worker)
    {
        _datasetChunks ??= DatasetChunks.Split(_job.Data.Train, _joinJob.Dataset.DatasetId, _options.ChunkBytes);
        foreach (var chunk in _datasetChunks)
        {
            worker.Actor.Tell(chunk);
        }

        worker.Actor.Tell(new DatasetShipped { JobId = _job.JobId, DatasetId = _joinJob.Dataset.DatasetId, ChunkCount = _datasetChunks.Count });
    }

    private void OnTensorChunk(TensorChunk chunk)
    {
        try
        {
            _receiver.Accept(Sender.Path.ToString(), chunk);
        }
        catch (InvalidDataException e)
        {
            DropWorker(Sender.Path.ToString(), e.Message);
        }
    }

    private void OnGradientsComputed(GradientsComputed computed)
    {
        var sender = Sender.Path.ToString();
        float[] sums;
        try
        {
            sums = _receiver.Complete(sender, computed.TransferId, computed.ChunkCount, computed.Checksum);
        }
        catch (InvalidDataException e)
        {
            DropWorker(sender, e.Message);
            return;
        }

        var header = new TensorFrameHeader(
            computed.Step, computed.FirstLeaf, computed.EndLeaf, computed.SampleCount, computed.LossSum, computed.ComputeSeconds, 0, sums.Length, computed.Checksum);
        RecordBlock(sender, header, sums);
    }

    /// <summary>A frame from a worker's tensor link: a block's whole sums, a block's report (reduction), or a reduced bucket.</summary>
    private void OnLinkFrame(LinkSumsArrived arrived)
    {
        var header = arrived.Header;
        switch (header.Kind)
        {
            case TensorFrameKind.Whole when header.IsWhole(_network.Spec.ParameterCount):
            case TensorFrameKind.BlockReport when header.ValueCount == 0:
                RecordBlock(arrived.Worker, header, arrived.Sums);
                break;
            case TensorFrameKind.ReducedSums:
                if (_reductions.Round is { } round && round.BucketOf(arrived.Worker, header) is { } bucket)
                {
                    ApplyBucket(round, bucket, arrived.Sums);
                }

                _buffers.Return(arrived.Sums);
                break;
            default:
                _buffers.Return(arrived.Sums);
                DropWorker(arrived.Worker, $"tensor link: a {header.Kind} frame of values [{header.Offset}, {header.Offset + header.ValueCount}) is not one a coordinator takes");
                break;
        }
    }

    /// <summary>
    /// Records a block's verified sums, from either transport; results of other steps and duplicates are dropped. A lagging
    /// worker that delivers anything may take blocks again, at once those of lost workers that no one else could take.
    /// </summary>
    private void RecordBlock(string sender, TensorFrameHeader result, float[] sums)
    {
        var caughtUp = _workers.TryGet(sender, out var arrivedFrom) && arrivedFrom.Lagging;
        if (caughtUp)
        {
            arrivedFrom!.Lagging = false;
        }

        AcceptBlock(arrivedFrom, result, sums);
        // Accepted sums are in the tree by now and the rest are dropped: the buffer is free either way.
        _buffers.Return(sums);
        if (caughtUp)
        {
            Continue();
        }
    }

    private void AcceptBlock(JobWorker? arrivedFrom, TensorFrameHeader result, ReadOnlySpan<float> sums)
    {
        var block = new LeafRange(result.FirstLeaf, result.EndLeaf);
        // A block counts in the form its step's round expects: reported (its sums went to the owners of this round), or
        // whole sums when the step is not reduced among workers. Results of a round given up count for nothing.
        var round = _reductions.Round;
        var expected = round is null ? result.Kind == TensorFrameKind.Whole : result.Kind == TensorFrameKind.BlockReport && result.Round == round.Number;
        if (_plan is null || result.Step != _plan.Step || !expected)
        {
            return;
        }

        var (plan, accepted) = _plan.Complete(block);
        arrivedFrom?.BlockArrived(result.SampleCount, Stopwatch.GetTimestamp(), owesMore: plan.OutstandingOf(arrivedFrom.Id).Count > 0);

        if (!accepted)
        {
            return;
        }

        _plan = plan;
        _blocksAccepted++;
        if (round is null)
        {
            _sums.Add(block, sums, result.LossSum);
        }
        else
        {
            _losses.Add(block, [], result.LossSum);
        }

        arrivedFrom?.RecordThroughput(result.SampleCount, result.ComputeSeconds);
        FinishStepIfComplete();
    }

    /// <summary>Finishes the step once every block is in and, in a reduction round, every reduced bucket.</summary>
    private void FinishStepIfComplete()
    {
        if (_plan is { IsComplete: true } && _reductions.IsComplete)
        {
            FinishStep();
        }
    }

    /// <summary>
    /// Applies the optimizer to a reduced bucket as soon as it arrives and sends the bucket of the new θ to its owner, which
    /// passes it on to the other owners (all-gather), while other buckets are still being reduced.
    /// </summary>
    private void ApplyBucket(ReductionRound round, ReductionBucket bucket, ReadOnlySpan<float> sums)
    {
        var step = _reductions.Step!;
        if (!step.Apply(_optimizer, _batch.Length, _cursor.LearningRate, bucket, _network.Parameters, sums))
        {
            return;
        }

        if (!_workers.TryGet(round.Layout.OwnerOf(bucket.Index), out var owner)
            || !_links.TrySendBucket(owner, _cursor.Step + 1, round.Number, bucket, _network.Parameters))
        {
            step.GatherBroken = true;
        }

        FinishStepIfComplete();
    }

    /// <summary>
    /// Starts the next step when none is running and enough workers are ready; rescues blocks of lost workers; tells the
    /// listener when the job starts waiting for workers.
    /// </summary>
    private void Continue()
    {
        if (_plan is not null)
        {
            WaitingForWorkers(!RescueOrphanedBlocks(), needed: 1);
            return;
        }

        // MinWorkers only holds back the first step; after that any ready worker keeps the job going.
        var needed = _cursor.Step == 0 ? _options.MinWorkers : 1;
        if (_cursor.IsFinished)
        {
            return;
        }

        WaitingForWorkers(_workers.ReadyCount < needed, needed);
        if (_waitingForWorkers)
        {
            return;
        }

        if (_cursor.Batch == 0)
        {
            _epochLossSum = 0;
            _epochSamples = 0;
            _epochClock.Restart();
        }

        _batch = _cursor.BatchIndices().ToArray();
        var leaves = GradientTree.LeafCount(_batch.Length, _job.Options.ShardSize);
        _plan = StepPlan.Create(_cursor.Step, leaves, _workers.Shares());
        _sums.Start(leaves);
        _losses.Start(leaves);
        _reductions.StartRound(_cursor.Step, leaves, [.. _plan.BusyWorkers.Select(id => _workers[id])]);
        if (_weightsStep != _cursor.Step)
        {
            // θ leaves from a snapshot that its sends hold until written, since the optimizer changes the parameters in
            // place (in a reduced step, bucket by bucket as they arrive: a step run again sends this θ, not those).
            _weightChunks = null;
            _weights?.Release();
            _weights = SharedTensor.CopyOf(_network.Parameters, _buffers);
            _weightsStep = _cursor.Step;
        }
        foreach (var worker in _plan.BusyWorkers.ToList())
        {
            SendBlocks(_workers[worker], _plan.OutstandingOf(worker));
        }
    }

    /// <summary>
    /// Gives up the step's plan and round and runs it again from θ (unchanged until a step finishes), sent whole to every
    /// worker: a slice owner was lost (its partial sums with it), or a reduction failed (then this step runs without one).
    /// </summary>
    private void RestartStep(string reason, bool withoutReduction = false)
    {
        _log.Warning("job {0}: step {1} runs again: {2}", _job.JobId, _cursor.Step, reason);
        _reductions.GiveUp(_cursor.Step, withoutReduction);
        _plan = null;
        _blocksCompleteAt = 0;

        foreach (var worker in _workers.All)
        {
            worker.WeightsVersion = -1;
            worker.Idle();
        }

        Continue();
    }

    /// <summary>Moves the blocks of workers that cannot compute them to those that can; false when there are none to take them.</summary>
    private bool RescueOrphanedBlocks()
    {
        foreach (var owner in _plan!.BusyWorkers.Where(w => !_workers.IsReady(w)).ToList())
        {
            var live = _workers.Shares();
            if (live.Count == 0)
            {
                return false;
            }

            MoveBlocks(owner, live);
        }

        return true;
    }

    /// <summary>Notes whether the job waits for workers, telling the listener when it starts to.</summary>
    private void WaitingForWorkers(bool waiting, int needed)
    {
        if (waiting && !_waitingForWorkers)
        {
            // Waiting before the first step is how every job starts (workers join it): only a wait mid-job is a warning.
            var level = _cursor.Step > 0 || _plan is not null ? LogLevel.WarningLevel : LogLevel.InfoLevel;
            _log.Log(level, $"job {_job.JobId}: step {_cursor.Step} waits for workers ({_workers.ReadyCount} of {needed} ready)");
            _listener.Tell(new JobWaitingForWorkers(_job.JobId, _cursor.Step, _workers.ReadyCount, needed));
        }

        _waitingForWorkers = waiting;
    }

    /// <summary>
    /// The safety net (<see cref="StallWatch"/>): a step with workers that gets no block for <see cref="ClusterOptions.StallTimeout"/>
    /// is sent again, and after a second such wait the job fails.
    /// </summary>
    private void WatchForStall()
    {
        var running = _plan is not null && _workers.All.Any(w => w.Ready && w.Reachable);
        (_stall, var action) = _stall.Check(_blocksAccepted, running, _jobClock.Elapsed);
        switch (action)
        {
            case StallAction.Replan:
                Replan();
                break;
            case StallAction.Fail:
                Fail($"step {_plan!.Step} got no block for {_options.StallTimeout} (Cluster:StallTimeout) twice, the second time after θ and its blocks were sent again; outstanding: {Outstanding()}");
                break;
        }
    }

    /// <summary>Sends θ and every outstanding block of the step again, to their owners or, for owners that cannot take them, to others.</summary>
    private void Replan()
    {
        if (_reductions.Round is not null)
        {
            RestartStep($"no block or bucket arrived for {_options.StallTimeout}", withoutReduction: true);
            return;
        }

        var outstanding = Outstanding();
        _log.Warning("job {0}: step {1} got no block for {2}; sending θ and its blocks again: {3}", _job.JobId, _plan!.Step, _options.StallTimeout, outstanding);
        _listener.Tell(new JobStepStalled(_job.JobId, _plan.Step, _options.StallTimeout, outstanding));
        foreach (var worker in _workers.All)
        {
            // Whatever was sent may be lost: θ goes again, and a lagging worker is given its chance again.
            worker.WeightsVersion = -1;
            worker.Lagging = false;
            worker.Idle();
        }

        foreach (var owner in _plan.BusyWorkers.Where(_workers.IsReady).ToList())
        {
            SendBlocks(_workers[owner], _plan.OutstandingOf(owner));
        }

        Continue();
    }

    /// <summary>The step's outstanding blocks by worker, with what the coordinator knows of each worker.</summary>
    private string Outstanding() => string.Join("; ", _plan!.BusyWorkers.Order(StringComparer.Ordinal).Select(owner =>
    {
        var state = !_workers.TryGet(owner, out var worker) ? "gone"
            : !worker.Reachable ? "unreachable"
            : worker.Lagging ? "lagging"
            : "ready";
        return $"{owner} ({state}) owes leaves {string.Join(", ", _plan.OutstandingOf(owner).Select(b => $"[{b.First}, {b.End})"))}";
    }));

    /// <summary>Gives the outstanding blocks of <paramref name="from"/> to the other <paramref name="workers"/> (<see cref="StepPlan.Reassign"/>) and sends them.</summary>
    private void MoveBlocks(string from, IReadOnlyList<WorkerShare> workers)
    {
        var (plan, moved) = _plan!.Reassign(from, workers);
        _plan = plan;
        foreach (var (worker, blocks) in moved)
        {
            SendBlocks(_workers[worker], blocks);
        }
    }

    /// <summary>Sends the blocks of workers late by <see cref="StragglerPolicy"/> to the other ready workers as well.</summary>
    private void SpeculateOnStragglers()
    {
        var pace = StragglerPolicy.Pace(_workers.All.Where(w => w.CanTakeBlocks).Select(w => w.RoundTripPerSample));
        if (_plan is null || pace == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (LateSliceOwner(pace, now))
        {
            return;
        }

        foreach (var id in _plan.BusyWorkers.ToList())
        {
            if (!_workers.TryGet(id, out var worker) || !worker.CanTakeBlocks)
            {
                // A lost worker's blocks wait for RescueOrphanedBlocks.
                continue;
            }

            var owed = _plan.OutstandingOf(id);
            var deadline = StragglerPolicy.Deadline(worker.SamplesArrived + (owed.Sum(block => block.Count) * _job.Options.ShardSize), pace);
            var waited = worker.Waited(now);
            var shares = _workers.Shares();
            if (waited <= deadline || shares.All(share => share.Worker == id))
            {
                continue;
            }

            worker.Idle();
            worker.Lagging = true;
            worker.SlowAtStep = _plan.Step;
            _log.Warning("job {0}: worker {1} owes {2} blocks of step {3} after {4:F0} ms (deadline {5:F0} ms); sent to other workers too",
                _job.JobId, id, owed.Count, _plan.Step, waited.TotalMilliseconds, deadline.TotalMilliseconds);
            _listener.Tell(new JobWorkerSlow(_job.JobId, id, _plan.Step, waited, deadline, owed.Count));
            if (_reductions.DependsOn(id))
            {
                // A late slice owner would hold up every bucket it reduces: the step runs again with owners that keep up.
                RestartStep($"slice owner {id} is late");
                return;
            }

            MoveBlocks(id, shares);
        }
    }

    /// <summary>
    /// In a reduced step whose blocks are all in: a slice owner whose buckets take longer than computing the whole batch
    /// at the workers' pace (a slow link delays its buckets, not its cheap block reports) is named slow and the step runs
    /// again without it as an owner. True when that happened.
    /// </summary>
    private bool LateSliceOwner(double pace, long now)
    {
        if (_reductions.Round is not { } round || !_plan!.IsComplete)
        {
            _blocksCompleteAt = 0;
            return false;
        }

        if (_blocksCompleteAt == 0)
        {
            _blocksCompleteAt = now;
        }

        var waited = Stopwatch.GetElapsedTime(_blocksCompleteAt, now);
        var deadline = StragglerPolicy.Deadline(_batch.Length, pace);
        if (waited <= deadline)
        {
            return false;
        }

        var late = round.Layout.Buckets.Where(bucket => !_reductions.Step!.IsApplied(bucket)).GroupBy(bucket => round.Layout.OwnerOf(bucket.Index)).ToList();
        if (late.Count == 0)
        {
            return false;
        }

        foreach (var owner in late)
        {
            if (_workers.TryGet(owner.Key, out var worker))
            {
                worker.SlowAtStep = _plan.Step;
            }

            _log.Warning("job {0}: slice owner {1} owes {2} buckets of step {3} after {4:F0} ms (deadline {5:F0} ms)",
                _job.JobId, owner.Key, owner.Count(), _plan.Step, waited.TotalMilliseconds, deadline.TotalMilliseconds);
            _listener.Tell(new JobWorkerSlow(_job.JobId, owner.Key, _plan.Step, waited, deadline, owner.Count()));
        }

        RestartStep($"slice owners {string.Join(", ", late.Select(owner => owner.Key))} are late with their buckets");
        return true;
    }

    private void SendBlocks(JobWorker worker, IReadOnlyList<LeafRange> blocks)
    {
        if (worker.WeightsVersion != _plan!.Step)
        {
            SendWeights(worker);
            worker.WeightsVersion = _plan.Step;
        }

        worker.BlocksSent(Stopwatch.GetTimestamp());
        var message = new ComputeGradients { JobId = _job.JobId, Step = _plan.Step, Reduction = _reductions.Round?.MessageFor(worker.Id) };
        var shardSize = _job.Options.ShardSize;
        foreach (var block in blocks)
        {
            var first = block.First * shardSize;
            var end = Math.Min(block.End * shardSize, _batch.Length);
            var shard = new Shard { FirstLeaf = block.First, EndLeaf = block.End };
            shard.SampleIndices.AddRange(_batch[first..end]);
            message.Shards.Add(shard);
        }

        worker.Actor.Tell(message);
    }

    /// <summary>θ of the current step: over the worker's tensor link, or as remoting chunks (cut once per step).</summary>
    private void SendWeights(JobWorker worker)
    {
        var weights = _weights!;
        if (_links.TrySendWeights(worker, _plan!.Step, weights, out var failure))
        {
            return;
        }

        if (failure is not null)
        {
            _log.Warning("job {0}: tensor link to {1} failed, using remoting: {2}", _job.JobId, worker.Id, failure);
        }

        _weightChunks ??= TensorChunks.Split(_job.JobId, _plan.Step, weights.Values, _options.ChunkBytes);
        foreach (var chunk in _weightChunks)
        {
            worker.Actor.Tell(chunk);
        }

        worker.Actor.Tell(new WeightsUpdate
        {
            JobId = _job.JobId,
            Version = _plan.Step,
            TransferId = _plan.Step,
            ChunkCount = _weightChunks.Count,
            ValueCount = weights.Values.Length,
            Checksum = weights.Checksum,
        });
    }

    private void FinishStep()
    {
        var reduced = _reductions.Round is not null;
        if (!reduced)
        {
            // A reduced step's buckets were applied as they arrived; here the sums reduced at the coordinator.
            _reductions.ApplyOptimizer(_optimizer, _network.Parameters, _sums.Sum, _batch.Length, _cursor.LearningRate);
        }
        var lossSum = reduced ? _losses.LossSum : _sums.LossSum;
        var owners = _reductions.Finish(_workers, _cursor.Step + 1);
        _plan = null;
        _blocksCompleteAt = 0;
        foreach (var worker in _workers.All)
        {
            worker.Idle();
        }

        _epochLossSum += lossSum;
        _epochSamples += _batch.Length;
        var progress = new BatchProgress(_cursor.Epoch + 1, _cursor.Batch + 1, _cursor.BatchesPerEpoch, _epochLossSum / _epochSamples);
        _listener.Tell(new JobStepCompleted(_job.JobId, _cursor.Step, progress, _workers.ReadyCount, owners));
        if (_cursor.IsLastBatchOfEpoch && FinishEpoch())
        {
            Succeed();
            return;
        }

        _cursor.Advance();
        if (_cursor.IsFinished)
        {
            Succeed();
            return;
        }

        CheckpointIfDue();
        Continue();
    }

    /// <summary>Continues from <paramref name="checkpoint"/>: θ, the optimizer's state, the step, and the epoch's loss so far.</summary>
    private void Resume(JobCheckpoint checkpoint)
    {
        checkpoint.Parameters.CopyTo(_network.Parameters, 0);
        _optimizer.RestoreState(checkpoint.Optimizer);
        _cursor.MoveTo(checkpoint.Step);
        _checkpointStep = checkpoint.Step;
        _epochLossSum = checkpoint.EpochLossSum;
        _epochSamples = checkpoint.EpochSamples;
        if (checkpoint.Stopping is { } best)
        {
            _stopping?.Restore(best.BestEpoch, best.BestLoss, best.BestParameters);
        }

        // The epoch's time before the checkpoint is not known: its report counts the time since the resume.
        _epochClock.Restart();
    }

    /// <summary>
    /// After a step (not the last): tells the listener a checkpoint once <see cref="ClusterOptions.CheckpointEverySteps"/>
    /// steps or <see cref="ClusterOptions.CheckpointInterval"/> have passed since the last one.
    /// </summary>
    private void CheckpointIfDue()
    {
        var steps = _cursor.Step - _checkpointStep;
        var due = (_options.CheckpointEverySteps > 0 && steps >= _options.CheckpointEverySteps) || _checkpointClock.Elapsed >= _options.CheckpointInterval;
        if (!due || steps == 0)
        {
            return;
        }

        var epochStarts = _cursor.Batch == 0;
        var checkpoint = new JobCheckpoint(
            _cursor.Step,
            (float[])_network.Parameters.Clone(),
            _optimizer.CaptureState(),
            epochStarts ? 0 : _epochLossSum,
            epochStarts ? 0 : _epochSamples,
            _stopping is null ? null : new EarlyStoppingCheckpoint(_stopping.BestEpoch, _stopping.BestLoss, _stopping.BestParameters.ToArray()));
        _listener.Tell(new JobCheckpointed(_job.JobId, checkpoint));
        _checkpointStep = _cursor.Step;
        _checkpointClock.Restart();
    }

    /// <summary>
    /// Evaluates the test data and reports the epoch; returns whether early stopping ends the job here. As in the
    /// single-process trainer, θ goes back to the best epoch's when the job stops early or this is its last epoch.
    /// </summary>
    private bool FinishEpoch()
    {
        _epochClock.Stop();
        var test = _job.Data.Test is null ? null : Evaluator.Evaluate(_network, _job.Data.Test, _job.Options.Loss);
        var stopping = _stopping?.AfterEpoch(_cursor.Epoch + 1, test!.MeanLoss, _network.Parameters, lastEpoch: _cursor.Step + 1 == _cursor.TotalSteps);

        var elapsed = _epochClock.Elapsed;
        var report = new EpochReport(_cursor.Epoch + 1, _epochLossSum / _epochSamples, test, elapsed, _epochSamples / elapsed.TotalSeconds, stopping);
        _listener.Tell(new JobEpochCompleted(_job.JobId, report));
        return stopping is { Stops: true };
    }

    private void SetReachable(Address address, bool reachable)
    {
        foreach (var worker in _workers.At(address).Where(w => w.Reachable != reachable))
        {
            worker.Reachable = reachable;
            // What was sent while it was cut off may be lost: θ goes again with its next blocks.
            worker.WeightsVersion = -1;
            worker.Idle();
            _log.Warning("job {0}: worker {1} is {2}", _job.JobId, worker.Id, reachable ? "reachable again" : "unreachable; its blocks go to other workers");
            if (worker.Ready)
            {
                _listener.Tell(new JobWorkerChanged(_job.JobId, worker.Id, Joined: reachable, _workers.ReadyCount, reachable ? "reachable again" : "unreachable"));
            }

            if (!reachable && _reductions.DependsOn(worker.Id))
            {
                RestartStep($"slice owner {worker.Id} is unreachable");
                return;
            }
        }

        Continue();
    }

    private void DropWorkersAt(Address address, string reason)
    {
        foreach (var worker in _workers.At(address))
        {
            DropWorker(worker.Id, reason);
        }
    }

    private void DropWorker(string id, string reason)
    {
        if (!_workers.Remove(id, out var worker))
        {
            return;
        }

        _log.Warning("job {0}: worker {1} dropped: {2}", _job.JobId, id, reason);
        Context.Unwatch(worker.Actor);
        worker.Actor.Tell(new LeaveJob { JobId = _job.JobId });
        worker.Link?.Dispose();
        _receiver.Forget(id);
        if (worker.Ready)
        {
            _listener.Tell(new JobWorkerChanged(_job.JobId, id, Joined: false, _workers.ReadyCount, reason));
        }

        if (_reductions.DependsOn(id))
        {
            RestartStep($"slice owner {id} left: {reason}");
            return;
        }

        Continue();
    }

    /// <summary>Ends the job with the weights it keeps, scored on its test data (the validation split, when it has one).</summary>
    private void Succeed() =>
        Stop(new JobSucceeded(_job.JobId, _network, _job.Data.Test is { } test ? ModelMetrics.Evaluate(_network, test) : null));

    private void Fail(string reason) => Stop(new JobFailed(_job.JobId, reason));

    private void Stop(IJobOutcome outcome)
    {
        foreach (var worker in _workers.All)
        {
            worker.Actor.Tell(new LeaveJob { JobId = _job.JobId });
            worker.Link?.Dispose();
        }

        _listener.Tell(outcome);
        Context.Stop(Self);
    }

    /// <summary>The periodic tick of <see cref="SpeculateOnStragglers"/> and <see cref="WatchForStall"/>.</summary>
    private sealed class CheckProgress
    {
        public static readonly CheckProgress Instance = new();
    }
}
