using Backprop.Cluster.Coordinator;
using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Worker;

public sealed class SliceReductionTests
{
    private const int Leaves = 11;
    private static readonly NetworkSpec Spec = NetworkSpec.Create(7, [33, 5], 3, Activation.Tanh, Activation.Sigmoid);
    private static readonly string[] Owners = ["worker-a", "worker-b", "worker-c"];

    /// <summary>
    /// Each owner's buckets, fed every block's slices in a shuffled order with duplicates, and blocks of a later round
    /// before that round begins, end with the bits of the whole-vector tree sum, for every cut of the leaves into blocks.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Buckets_AnyArrivalOrderWithDuplicates_BitsOfTheWholeTreeSum(int seed)
    {
        var random = new Random(seed);
        var layout = ReductionLayout.Create(Spec, 64, Owners);
        var blocks = RandomBlocks(random);
        var sums = blocks.ToDictionary(block => block, _ => RandomSums(random));
        var expected = GradientTree.Combine(Leaves, sums, Add);

        foreach (var owner in Owners)
        {
            var pool = new TensorBufferPool(Spec.ParameterCount);
            var reduction = new SliceReduction(pool);
            // A peer ahead of this owner's ComputeGradients: its frames of round 2 come while round 1 is on.
            reduction.Begin(1, step: 4, Leaves, layout.BucketsOf(owner));
            var frames = blocks.SelectMany(block => layout.BucketsOf(owner).Select(bucket => (block, bucket))).ToList();
            frames.AddRange(frames.Take(3));
            var done = new List<ReducedBucket>();
            foreach (var (block, bucket) in frames.OrderBy(_ => random.Next()))
            {
                done.AddRange(reduction.Add(Frame(block, bucket, sums[block], round: 2), Slice(sums[block], bucket)));
            }

            Assert.Empty(done);
            done.AddRange(reduction.Begin(2, step: 5, Leaves, layout.BucketsOf(owner)));

            Assert.Equal(layout.BucketsOf(owner).Select(b => b.Offset).Order(), done.Select(d => d.Offset).Order());
            foreach (var bucket in done)
            {
                Assert.Equal(expected.AsSpan(bucket.Offset, bucket.Sums.Length).ToArray(), bucket.Sums);
            }
        }
    }

    [Fact]
    public void AddOwn_WithPeersSlices_CompletesTheOwnersBucketsOnce()
    {
        var random = new Random(4);
        var layout = ReductionLayout.Create(Spec, 64, Owners);
        var blocks = RandomBlocks(random);
        var sums = blocks.ToDictionary(block => block, _ => RandomSums(random));
        var expected = GradientTree.Combine(Leaves, sums, Add);
        var reduction = new SliceReduction(new TensorBufferPool(Spec.ParameterCount));
        reduction.Begin(1, step: 0, Leaves, layout.BucketsOf("worker-b"));

        var done = new List<ReducedBucket>();
        foreach (var block in blocks.Skip(1))
        {
            foreach (var bucket in layout.BucketsOf("worker-b"))
            {
                done.AddRange(reduction.Add(Frame(block, bucket, sums[block], round: 1), Slice(sums[block], bucket)));
            }
        }

        // A stale frame (an earlier round) counts for nothing, and the owner's own block completes every bucket.
        Assert.Empty(reduction.Add(Frame(blocks[0], layout.BucketsOf("worker-b")[0], sums[blocks[0]], round: 0), Slice(sums[blocks[0]], layout.BucketsOf("worker-b")[0])));
        Assert.Empty(done);
        done.AddRange(reduction.AddOwn(blocks[0], sums[blocks[0]]));
        Assert.Equal(layout.BucketsOf("worker-b").Count, done.Count);
        Assert.All(done, bucket => Assert.Equal(expected.AsSpan(bucket.Offset, bucket.Sums.Length).ToArray(), bucket.Sums));
        Assert.Empty(reduction.AddOwn(blocks[0], sums[blocks[0]]));
    }

    [Fact]
    public void Add_SliceOfABucketItDoesNotOwn_IsDropped()
    {
        var layout = ReductionLayout.Create(Spec, 64, Owners);
        var reduction = new SliceReduction(new TensorBufferPool(Spec.ParameterCount));
        reduction.Begin(1, step: 0, leafCount: 1, layout.BucketsOf("worker-a"));
        var foreign = layout.BucketsOf("worker-b")[0];
        var whole = RandomSums(new Random(5));

        Assert.Empty(reduction.Add(Frame(new LeafRange(0, 1), foreign, whole, round: 1), Slice(whole, foreign)));
    }

    private static List<LeafRange> RandomBlocks(Random random)
    {
        var cuts = Enumerable.Range(1, Leaves - 1).Where(_ => random.Next(3) == 0).Prepend(0).Append(Leaves).ToList();
        return [.. cuts.Zip(cuts.Skip(1)).SelectMany(range => GradientTree.AlignedBlocks(range.First, range.Second, Leaves))];
    }

    private static float[] RandomSums(Random random) => [.. Enumerable.Range(0, Spec.ParameterCount).Select(_ => (float)((random.NextDouble() * 2) - 1) * 1e3f)];

    private static float[] Add(float[] left, float[] right) => [.. left.Zip(right, (l, r) => l + r)];

    private static float[] Slice(float[] sums, ReductionBucket bucket) => sums.AsSpan(bucket.Offset, bucket.Length).ToArray();

    private static TensorFrameHeader Frame(LeafRange block, ReductionBucket bucket, float[] sums, int round) =>
        new(5, block.First, block.End, block.Count, 0, 0, bucket.Offset, bucket.Length, Backprop.Protocol.TensorChecksum.Of(Slice(sums, bucket)))
        {
            Kind = TensorFrameKind.ScatterSums,
            Round = round,
        };
}
