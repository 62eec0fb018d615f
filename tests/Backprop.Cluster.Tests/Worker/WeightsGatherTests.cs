using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;

namespace Backprop.Cluster.Tests.Worker;

public sealed class WeightsGatherTests
{
    private static readonly float[] Theta = [.. Enumerable.Range(0, 10).Select(i => i * 1.5f)];

    [Fact]
    public void Add_EveryBucketOnceInAnyOrder_GivesThetaWholeAtTheLast()
    {
        var gather = new WeightsGather(new TensorBufferPool(Theta.Length));

        Assert.Null(gather.Add(Bucket(step: 3, offset: 6, length: 4), Theta.AsSpan(6, 4)));
        Assert.Null(gather.Add(Bucket(step: 3, offset: 0, length: 2), Theta.AsSpan(0, 2)));
        Assert.Null(gather.Add(Bucket(step: 3, offset: 0, length: 2), Theta.AsSpan(0, 2)));
        var whole = gather.Add(Bucket(step: 3, offset: 2, length: 4), Theta.AsSpan(2, 4));

        Assert.Equal(Theta, whole);
    }

    [Fact]
    public void Add_ALaterStepsBucket_DropsWhatTheEarlierStepGathered()
    {
        var gather = new WeightsGather(new TensorBufferPool(Theta.Length));
        gather.Add(Bucket(step: 3, offset: 0, length: 6), new float[6]);

        Assert.Null(gather.Add(Bucket(step: 4, offset: 0, length: 6), Theta.AsSpan(0, 6)));
        Assert.Null(gather.Add(Bucket(step: 3, offset: 6, length: 4), new float[4]));
        Assert.Equal(Theta, gather.Add(Bucket(step: 4, offset: 6, length: 4), Theta.AsSpan(6, 4)));
    }

    private static TensorFrameHeader Bucket(long step, int offset, int length) =>
        new(step, 0, 0, 0, 0, 0, offset, length, 0) { Kind = TensorFrameKind.GatherWeights, Round = 1 };
}
