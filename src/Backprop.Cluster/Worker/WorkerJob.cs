using System.Diagnostics;
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
    private long _nextTransferId;

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
        _inputs = new float[join.MaxRows * Spec.InputSize];
        _targets = new float[join.MaxRows * Spec.OutputSize];
        _gradientSums = new float[Spec.ParameterCount];
        Weights = new TensorReceiver<long>(Spec.ParameterCount);
    }

    public JoinJob Join { get; }

    public Core.Model.NetworkSpec Spec { get; }

    public LossKind Loss { get; }

    public Dataset? Data { get; set; }

    /// <summary>Reassembles weight transfers (the coordinator is the only sender, so the key is a constant).</summary>
    public TensorReceiver<long> Weights { get; }

    /// <summary>The weights of step <see cref="Version"/>.</summary>
    public float[]? Parameters { get; private set; }

    public long Version { get; private set; } = -1;

    public void UseWeights(float[] parameters, long version)
    {
        if (Parameters is not null)
        {
            Weights.Return(Parameters);
        }

        Parameters = parameters;
        Version = version;
    }

    /// <summary>Computes one block's tree sum and returns the messages that carry it: chunks, then the description.</summary>
    public (List<TensorChunk> Chunks, GradientsComputed Result) Compute(long step, Shard shard, int chunkBytes)
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
        for (var r = 0; r < rows; r++)
        {
            var index = shard.SampleIndices[r];
            if ((uint)index >= (uint)data.Count)
            {
                throw new InvalidDataException($"sample index {index} is outside 0..{data.Count - 1}");
            }

            data.FeaturesOf(index).CopyTo(_inputs.AsSpan(r * Spec.InputSize));
            data.TargetsOf(index).CopyTo(_targets.AsSpan(r * Spec.OutputSize));
        }

        var lossSum = _pass.ComputeGradientSums(
            parameters, Loss, _inputs.AsSpan(0, rows * Spec.InputSize), _targets.AsSpan(0, rows * Spec.OutputSize),
            rows, Join.ShardSize, _gradientSums);
        var seconds = clock.Elapsed.TotalSeconds;
        var transferId = _nextTransferId++;
        var chunks = TensorChunks.Split(Join.JobId, transferId, _gradientSums, chunkBytes);
        var result = new GradientsComputed
        {
            JobId = Join.JobId,
            Step = step,
            FirstLeaf = shard.FirstLeaf,
            EndLeaf = shard.EndLeaf,
            SampleCount = rows,
            LossSum = lossSum,
            ComputeSeconds = seconds,
            TransferId = transferId,
            ChunkCount = chunks.Count,
            Checksum = TensorChecksum.Of(_gradientSums),
        };
        return (chunks, result);
    }

    public void Dispose() => _pass.Dispose();
}
