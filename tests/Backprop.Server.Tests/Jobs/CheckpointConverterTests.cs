using Backprop.Cluster.Jobs;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Server.Jobs;

namespace Backprop.Server.Tests.Jobs;

public sealed class CheckpointConverterTests
{
    private static readonly NetworkSpec Spec = NetworkSpec.Create(1, [], 2, Activation.Identity, Activation.Softmax);

    [Fact]
    public void RoundTrip_WithEarlyStopping_KeepsTheBestEpochItsLossAndItsWeights()
    {
        var checkpoint = new JobCheckpoint(9, [1, 2, 3, 4], new OptimizerState(9, []), 1.5, 3, new EarlyStoppingCheckpoint(2, 0.25, [5, 6, 7, 8]));

        var restored = CheckpointConverter.CheckpointFrom(CheckpointConverter.CheckpointToProto("job-1", checkpoint), Spec);

        Assert.Equal(2, restored.Stopping!.BestEpoch);
        Assert.Equal(0.25, restored.Stopping.BestLoss);
        Assert.Equal([5f, 6, 7, 8], restored.Stopping.BestParameters);
    }

    [Fact]
    public void RoundTrip_WithoutEarlyStopping_HasNoStoppingState()
    {
        var checkpoint = new JobCheckpoint(9, [1, 2, 3, 4], new OptimizerState(9, []), 1.5, 3);

        Assert.Null(CheckpointConverter.CheckpointFrom(CheckpointConverter.CheckpointToProto("job-1", checkpoint), Spec).Stopping);
    }

    [Fact]
    public void CheckpointFrom_BestWeightsOfAnotherNetwork_Throws()
    {
        var proto = CheckpointConverter.CheckpointToProto("job-1", new JobCheckpoint(9, [1, 2, 3, 4], new OptimizerState(9, []), 0, 0, new EarlyStoppingCheckpoint(1, 0.5, [1, 2])));

        Assert.Throws<InvalidDataException>(() => CheckpointConverter.CheckpointFrom(proto, Spec));
    }
}
