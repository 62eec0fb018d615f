using System.Diagnostics;
using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Transfer;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Worker;

/// <summary>One job as a worker holds it: the architecture, the samples, the latest weights and the buffers of a pass.</summary>
internal sealed class WorkerJob : IDisposable
{
    private readonly Backpropagator _pass;
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly float[] _gradientSums;
    private readonly int[] _indices;
    private long _nextTransferId;
    private ReductionLayout? _layout;
    private int _layoutBucketBytes;

    public WorkerJob(JoinJob join, int threads)
    {
        Spec = ModelConverter.NetworkSpecFrom(join.Network, "network");
        Loss = ModelConverter.LossFrom(join.Loss, "loss");
        LossKinds.EnsureCompatible(Loss, Spec.OutputActivation);
        if (join.ShardSize <= 0 || join.MaxRows <= 0)
        {
            throw new InvalidDataException($"shard_size {join.ShardSize} and max_rows {join.MaxRows} must be positive");
        }

        Join = join;
        _pass = new Backpropagator(Spec, join.MaxRows, threads, join.ShardSize);
        _inputs = Backpropagator.BatchBuffer(join.MaxRows, Spec.InputSize);
        _targets = Backpropagator.BatchBuffer(join.MaxRows, Spec.OutputSize);
        _gradientSums = new float[Spec.ParameterCount];
        _indices = new int[join.MaxRows];
        TensorBuffers = new TensorBufferPool(Spec.ParameterCount);
        Weights = new TensorReceiver<long>(TensorBuffers);
        Slices = new SliceReduction(TensorBuffers);
        Gather = new WeightsGather(TensorBuffers);
    }

    public JoinJob Join { get; }

    public Core.Model.NetworkSpec Spec { get; }

    public LossKind Loss { get; }

    public Dataset? Data { get; set; }

    /// <summary>
    /// Buffers of the job's tensor length: for θ, whether it arrives in chunks or over the tensor link, and for sums while
    /// the link sends them.
    /// </summary>
    public TensorBufferPool TensorBuffers { get; }

    /// <summary>Reassembles weight transfers (the coordinator is the only sender, so the key is a constant).</summary>
    public TensorReceiver<long> Weights { get; }

    /// <summary>The coordinator's direct tensor link, once opened; null: θ and sums travel as remoting chunks.</summary>
    public TensorLink? Link { get; set; }

    /// <summary>The job's coordinator, once it has sent blocks: reduction failures go to it.</summary>
    public Akka.Actor.IActorRef? Coordinator { get; set; }

    /// <summary>Links dialled to the other slice owners (reduce-scatter and all-gather); set by the worker actor.</summary>
    public PeerLinks? Peers { get; set; }

    /// <summary>Links the other slice owners dialled to this worker.</summary>
    public List<TensorLink> InboundPeers { get; } = [];

    /// <summary>The reduce-scatter of the buckets this worker owns.</summary>
    public SliceReduction Slices { get; }

    /// <summary>θ of the next step, put together from buckets.</summary>
    public WeightsGather Gather { get; }

    /// <summary>The recent reduction rounds by number: who owns what, for the all-gather of the θ each round produces.</summary>
    public Dictionary<int, Reduction> Rounds { get; } = [];

    /// <summary>Blocks that arrived (over remoting) before the θ they need (over the link), with who asked.</summary>
    public Queue<(ComputeGradients Compute, Akka.Actor.IActorRef Sender)> Waiting { get; } = new();

    /// <summary>The weights of step <see cref="Version"/>.</summary>
    public float[]? Parameters { get; private set; }

    public long Version { get; private set; } = -1;

    /// <summary>The layout of <paramref name="reduction"/> (built once per bucket size and owners).</summary>
    public ReductionLayout LayoutOf(Reduction reduction)
    {
        if (_layout is null || _layoutBucketBytes != reduction.BucketBytes
            || !_layout.Owners.SequenceEqual(reduction.Owners.Select(owner => owner.Id), StringComparer.Ordinal))
        {
            _layout = ReductionLayout.Create(Spec, reduction.BucketBytes, [.. reduction.Owners.Select(owner => owner.Id)]);
            _layoutBucketBytes = reduction.BucketBytes;
        }

        return _layout;
    }

    public void UseWeights(float[] parameters, long version)
    {
        if (Parameters is not null)
        {
            TensorBuffers.Return(Parameters);
        }

        Parameters = parameters;
        Version = version;
    }

    /// <summary>
    /// Computes one block's tree sum; the returned sums stay valid until the next call. The header describes them
    /// for either transport.
    /// </summary>
    public (TensorFrameHeader Header, ReadOnlyMemory<float> Sums) Compute(long step, Shard shard)
    {
        var data = Data ?? throw new InvalidOperationException("the job's samples have not arrived");
        var parameters = Parameters is not null && Version == step
            ? Parameters
            : throw new InvalidOperationException($"step {step} needs weights version {step}, this worker holds {Version}");
        var rows = shard.SampleIndices.Count;
        if (rows == 0 || rows > Join.MaxRows)
        {
            throw new InvalidDataException($"a block of {rows} samples does not fit 1..{Join.MaxRows}");
        }

        var clock = Stopwatch.StartNew();
        shard.SampleIndices.CopyTo(_indices, 0);
        data.Gather(_indices.AsSpan(0, rows), _inputs, _targets);

        var lossSum = _pass.ComputeGradientSums(
            parameters, Loss, _inputs.AsSpan(0, rows * Spec.InputSize), _targets.AsSpan(0, rows * Spec.OutputSize),
            rows, Join.ShardSize, _gradientSums);
        var header = new TensorFrameHeader(
            step, shard.FirstLeaf, shard.EndLeaf, rows, lossSum, clock.Elapsed.TotalSeconds, 0, _gradientSums.Length, TensorChecksum.Of(_gradientSums));
        return (header, _gradientSums);
    }

    /// <summary>The remoting messages that carry a computed block: its chunks, then its description.</summary>
    public (List<TensorChunk> Chunks, GradientsComputed Result) ToMessages(TensorFrameHeader header, ReadOnlySpan<float> sums, int chunkBytes)
    {
        var transferId = _nextTransferId++;
        var chunks = TensorChunks.Split(Join.JobId, transferId, sums, chunkBytes);
        var result = new GradientsComputed
        {
            JobId = Join.JobId,
            Step = header.Step,
            FirstLeaf = header.FirstLeaf,
            EndLeaf = header.EndLeaf,
            SampleCount = header.SampleCount,
            LossSum = header.LossSum,
            ComputeSeconds = header.ComputeSeconds,
            TransferId = transferId,
            ChunkCount = chunks.Count,
            Checksum = header.Checksum,
        };
        return (chunks, result);
    }

    public void Dispose()
    {
        _pass.Dispose();
        Link?.Dispose();
        Peers?.Dispose();
        foreach (var inbound in InboundPeers)
        {
            inbound.Dispose();
        }

        Slices.Clear();
        Gather.Reset();
    }
}
