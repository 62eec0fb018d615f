using Backprop.Cluster.Jobs;
using NetworkSpec = Backprop.Core.Model.NetworkSpec;
using Backprop.Core.Optimizers;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Server.Jobs;

/// <summary>A job's checkpoint to and from its stored form (<see cref="Checkpoint"/> in job_store.proto).</summary>
internal static class CheckpointConverter
{
    /// <summary>The stored form of <paramref name="checkpoint"/> of job <paramref name="jobId"/>.</summary>
    public static Checkpoint CheckpointToProto(string jobId, JobCheckpoint checkpoint)
    {
        var proto = new Checkpoint
        {
            JobId = jobId,
            Step = checkpoint.Step,
            Parameters = TensorBytes.From(checkpoint.Parameters),
            OptimizerSteps = checkpoint.Optimizer.StepCount,
            EpochLossSum = checkpoint.EpochLossSum,
            EpochSamples = checkpoint.EpochSamples,
        };
        proto.OptimizerBuffers.Add(checkpoint.Optimizer.Buffers.Select(buffer => TensorBytes.From(buffer)));
        if (checkpoint.Stopping is { } stopping)
        {
            proto.BestEpoch = stopping.BestEpoch;
            proto.BestLoss = stopping.BestLoss;
            proto.BestParameters = TensorBytes.From(stopping.BestParameters);
        }

        return proto;
    }

    /// <summary>The checkpoint stored as <paramref name="proto"/>, checked against the job's network <paramref name="spec"/>.</summary>
    /// <exception cref="InvalidDataException">The checkpoint does not fit the network.</exception>
    public static JobCheckpoint CheckpointFrom(Checkpoint proto, NetworkSpec spec)
    {
        var parameters = TensorBytes.ToArray(proto.Parameters, "checkpoint.parameters");
        if (parameters.Length != spec.ParameterCount || proto.Step < 0)
        {
            throw new InvalidDataException($"checkpoint of step {proto.Step} holds {parameters.Length} parameters, the network has {spec.ParameterCount}");
        }

        var buffers = proto.OptimizerBuffers.Select((buffer, i) => TensorBytes.ToArray(buffer, $"checkpoint.optimizer_buffers[{i}]")).ToList();
        EarlyStoppingCheckpoint? stopping = null;
        if (!proto.BestParameters.IsEmpty)
        {
            var best = TensorBytes.ToArray(proto.BestParameters, "checkpoint.best_parameters");
            if (best.Length != spec.ParameterCount || proto.BestEpoch < 0)
            {
                throw new InvalidDataException($"checkpoint of step {proto.Step}: best epoch {proto.BestEpoch} holds {best.Length} parameters, the network has {spec.ParameterCount}");
            }

            stopping = new EarlyStoppingCheckpoint(proto.BestEpoch, proto.BestLoss, best);
        }

        return new JobCheckpoint(proto.Step, parameters, new OptimizerState(proto.OptimizerSteps, buffers), proto.EpochLossSum, proto.EpochSamples, stopping);
    }
}
