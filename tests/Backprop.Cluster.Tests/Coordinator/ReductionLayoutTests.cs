using Backprop.Cluster.Coordinator;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

public sealed class ReductionLayoutTests
{
    private const int MaxOwners = 9;

    /// <summary>Measured (see <see cref="ReductionLayout"/>'s remarks): at most 1.53 fair shares move; pinned with a little room.</summary>
    private const double MaxMovedPerFairShare = 1.6;

    private static readonly string[] PinnedOwners =
    [
        "worker-c", "worker-a", "worker-b", "worker-a", "worker-c", "worker-c",
        "worker-a", "worker-c", "worker-b", "worker-a", "worker-c", "worker-a",
    ];

    /// <summary>Layer sizes and a target bucket size in bytes: the reference model at three bucket sizes, a tiny net,
    /// layers smaller than a bucket, a layer much larger, and one float per bucket.</summary>
    public static TheoryData<int[], int> Specs => new()
    {
        { [784, 512, 512, 10], 1 << 20 },
        { [784, 512, 512, 10], 16 << 10 },
        { [784, 512, 512, 10], 4000 },
        { [2, 3, 1], 1 << 20 },
        { [2, 3, 1], 8 },
        { [2, 3, 1], 3 },
        { [20, 4096, 3], 4000 },
        { [5, 7, 300, 2], 256 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Create_AnySpec_BucketsTileTheVectorWithoutCrossingALayer(int[] sizes, int bucketBytes)
    {
        var spec = Spec(sizes);

        var layout = ReductionLayout.Create(spec, bucketBytes, ["a"]);

        Assert.Equal(spec.ParameterCount, layout.ParameterCount);
        var next = 0;
        foreach (var bucket in layout.Buckets.OrderBy(b => b.Offset))
        {
            Assert.Equal(next, bucket.Offset);
            Assert.True(bucket.Length >= 1);
            var layer = spec.Layers[bucket.Layer];
            Assert.InRange(bucket.Offset, layer.WeightOffset, layer.WeightOffset + layer.ParameterCount - 1);
            Assert.InRange(bucket.End, layer.WeightOffset + 1, layer.WeightOffset + layer.ParameterCount);
            next = bucket.End;
        }

        Assert.Equal(spec.ParameterCount, next);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Create_AnySpec_BucketsListedLastLayerFirstWithFallingOffsets(int[] sizes, int bucketBytes)
    {
        var spec = Spec(sizes);

        var layout = ReductionLayout.Create(spec, bucketBytes, ["a"]);

        Assert.Equal(spec.ParameterCount, layout.Buckets[0].End);
        Assert.Equal(spec.Layers.Count - 1, layout.Buckets[0].Layer);
        Assert.Equal(0, layout.Buckets[^1].Offset);
        for (var i = 0; i < layout.Buckets.Count; i++)
        {
            Assert.Equal(i, layout.Buckets[i].Index);
            if (i > 0)
            {
                Assert.Equal(layout.Buckets[i].End, layout.Buckets[i - 1].Offset);
                Assert.True(layout.Buckets[i].Layer <= layout.Buckets[i - 1].Layer);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Create_AnySpec_EachLayerCutIntoFewestNearEqualBucketsBetweenHalfTheTargetAndTheTarget(int[] sizes, int bucketBytes)
    {
        var spec = Spec(sizes);
        var target = Math.Max(1, bucketBytes / sizeof(float));

        var layout = ReductionLayout.Create(spec, bucketBytes, ["a"]);

        for (var l = 0; l < spec.Layers.Count; l++)
        {
            var lengths = layout.Buckets.Where(b => b.Layer == l).Select(b => b.Length).ToList();
            var count = spec.Layers[l].ParameterCount;
            Assert.Equal((count + target - 1) / target, lengths.Count);
            Assert.True(lengths.Max() <= target);
            Assert.True(lengths.Max() - lengths.Min() <= 1);
            Assert.True(lengths.Count == 1 || 2 * lengths.Min() >= target, $"layer {l}: a part of {lengths.Min()} floats, under half of {target}");
        }
    }

    [Fact]
    public void Create_ReferenceModelAt1MiB_TwoBucketsPerLargeLayerAndOneForTheOutputLayer()
    {
        var layout = ReductionLayout.Create(Spec([784, 512, 512, 10]), 1 << 20, ["a"]);

        // Layers of 401,920, 262,656 and 5,130 floats; 262,144 floats per bucket.
        Assert.Equal(
            [
                new ReductionBucket(0, 2, 664_576, 5_130),
                new ReductionBucket(1, 1, 533_248, 131_328),
                new ReductionBucket(2, 1, 401_920, 131_328),
                new ReductionBucket(3, 0, 200_960, 200_960),
                new ReductionBucket(4, 0, 0, 200_960),
            ],
            layout.Buckets);
    }

    [Fact]
    public void Create_LayersSmallerThanABucket_OneBucketPerLayerNothingMerged()
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 1 << 20, ["a"]);

        Assert.Equal([new ReductionBucket(0, 1, 9, 4), new ReductionBucket(1, 0, 0, 9)], layout.Buckets);
    }

    [Fact]
    public void Create_BucketSmallerThanAFloat_OneFloatPerBucket()
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 1, ["a"]);

        Assert.Equal(13, layout.Buckets.Count);
        Assert.All(layout.Buckets, b => Assert.Equal(1, b.Length));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Create_OneToNineOwners_EveryBucketOwnedOnceAndOwnedFloatsWithinTheLargestBucket(int[] sizes, int bucketBytes)
    {
        var spec = Spec(sizes);
        for (var w = 1; w <= MaxOwners; w++)
        {
            var owners = Owners(w);

            var layout = ReductionLayout.Create(spec, bucketBytes, owners);

            var owned = owners.SelectMany(o => layout.BucketsOf(o)).OrderBy(b => b.Index).ToList();
            Assert.Equal(layout.Buckets, owned);
            foreach (var owner in owners)
            {
                Assert.All(layout.BucketsOf(owner), b => Assert.Equal(owner, layout.OwnerOf(b.Index)));
                Assert.Equal(layout.BucketsOf(owner).Sum(b => b.Length), layout.ElementsOf(owner));
                Assert.Equal(layout.BucketsOf(owner).OrderByDescending(b => b.Offset), layout.BucketsOf(owner));
            }

            var elements = owners.Select(layout.ElementsOf).ToList();
            Assert.Equal(spec.ParameterCount, elements.Sum());
            Assert.True(
                elements.Max() <= elements.Min() + layout.Buckets.Max(b => b.Length),
                $"W = {w}: owned floats {string.Join(", ", elements)}; largest bucket {layout.Buckets.Max(b => b.Length)}");
        }
    }

    [Fact]
    public void Create_MoreOwnersThanBuckets_SomeOwnNothingAndTheBoundHolds()
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 1 << 20, Owners(5));

        Assert.Equal(3, Owners(5).Count(o => layout.BucketsOf(o).Count == 0));
        Assert.Equal(0, Owners(5).Min(layout.ElementsOf));
        Assert.Equal(9, Owners(5).Max(layout.ElementsOf));
    }

    [Fact]
    public void Create_SameOwnersInAnyOrder_SameOwnerForEveryBucket()
    {
        var spec = Spec([784, 512, 512, 10]);
        var owners = Owners(7);
        var shuffled = owners.Reverse().ToArray();
        new Random(5).Shuffle(shuffled);

        var first = ReductionLayout.Create(spec, 16 << 10, owners);
        var again = ReductionLayout.Create(spec, 16 << 10, owners);
        var reordered = ReductionLayout.Create(spec, 16 << 10, shuffled);

        Assert.Equal(first.Buckets, again.Buckets);
        Assert.Equal(first.Buckets, reordered.Buckets);
        var ownership = first.Buckets.Select(b => first.OwnerOf(b.Index)).ToList();
        Assert.Equal(ownership, again.Buckets.Select(b => again.OwnerOf(b.Index)));
        Assert.Equal(ownership, reordered.Buckets.Select(b => reordered.OwnerOf(b.Index)));
        Assert.Equal(shuffled, reordered.Owners);
    }

    [Fact]
    public void Create_KnownIds_PinnedOwnershipSoEveryProcessAgrees()
    {
        // XxHash3 of the ids, not string.GetHashCode (randomized per process): these owners are the same on every node.
        var layout = ReductionLayout.Create(Spec([784, 512, 512, 10]), 16 << 10, ["worker-a", "worker-b", "worker-c"]);

        Assert.Equal(PinnedOwners, layout.Buckets.Take(PinnedOwners.Length).Select(b => layout.OwnerOf(b.Index)));
    }

    [Theory]
    [InlineData(16 << 10)]
    [InlineData(4000)]
    public void Create_OneOwnerAddedOrRemoved_BucketsStayAndLittleMoreThanAFairShareMoves(int bucketBytes)
    {
        var spec = Spec([784, 512, 512, 10]);
        for (var w = 1; w < MaxOwners; w++)
        {
            var before = ReductionLayout.Create(spec, bucketBytes, Owners(w));
            var added = ReductionLayout.Create(spec, bucketBytes, Owners(w + 1));
            var removed = ReductionLayout.Create(spec, bucketBytes, Owners(w + 1).Where(o => o != $"w{w / 2}").ToArray());

            Assert.Equal(before.Buckets, added.Buckets);
            var fairShare = spec.ParameterCount / (w + 1.0);
            Assert.True(Moved(before, added) <= MaxMovedPerFairShare * fairShare, $"W {w} → {w + 1}: {Moved(before, added) / fairShare:F2} fair shares moved");
            Assert.True(Moved(added, removed) <= MaxMovedPerFairShare * fairShare, $"W {w + 1} → {w}: {Moved(added, removed) / fairShare:F2} fair shares moved");
        }
    }

    [Fact]
    public void BucketContaining_EveryParameter_TheBucketWhoseRangeHoldsIt()
    {
        var spec = Spec([5, 7, 300, 2]);
        var layout = ReductionLayout.Create(spec, 256, Owners(3));

        for (var p = 0; p < spec.ParameterCount; p++)
        {
            var bucket = layout.BucketContaining(p);

            Assert.InRange(p, bucket.Offset, bucket.End - 1);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(13)]
    public void BucketContaining_OutsideTheVector_ThrowsNamingTheIndex(int parameterIndex)
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 8, ["a"]);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => layout.BucketContaining(parameterIndex));

        Assert.Equal("parameterIndex", error.ParamName);
    }

    [Fact]
    public void Buckets_AsAccumulatorSlices_CoverTheirRange()
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 8, ["a"]);
        var bucket = layout.Buckets[1];

        var accumulator = new GradientTreeAccumulator(bucket.Offset, bucket.Length);

        Assert.Equal((bucket.Offset, bucket.Length), (accumulator.Offset, accumulator.Length));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void OwnerOf_NoSuchBucket_ThrowsNamingTheIndex(int bucketIndex)
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 1 << 20, ["a"]);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => layout.OwnerOf(bucketIndex));

        Assert.Equal("bucketIndex", error.ParamName);
    }

    [Fact]
    public void BucketsOfAndElementsOf_UnknownOwner_ThrowNamingTheOwner()
    {
        var layout = ReductionLayout.Create(Spec([2, 3, 1]), 1 << 20, ["a", "b"]);

        var buckets = Assert.Throws<ArgumentException>(() => layout.BucketsOf("c"));
        var elements = Assert.Throws<ArgumentException>(() => layout.ElementsOf("c"));

        Assert.Equal("owner", buckets.ParamName);
        Assert.Equal("owner", elements.ParamName);
        Assert.Contains("'c'", buckets.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoOwners_ThrowsNamingOwners()
    {
        var error = Assert.Throws<ArgumentException>(() => ReductionLayout.Create(Spec([2, 3, 1]), 1024, []));

        Assert.Equal("owners", error.ParamName);
    }

    [Fact]
    public void Create_DuplicateOwner_ThrowsNamingOwnersAndTheId()
    {
        var error = Assert.Throws<ArgumentException>(() => ReductionLayout.Create(Spec([2, 3, 1]), 1024, ["a", "b", "a"]));

        Assert.Equal("owners", error.ParamName);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmptyOwnerId_ThrowsNamingOwners()
    {
        var error = Assert.Throws<ArgumentException>(() => ReductionLayout.Create(Spec([2, 3, 1]), 1024, ["a", ""]));

        Assert.Equal("owners", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Create_NonPositiveBucketSize_ThrowsNamingTheSize(int bucketBytes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ReductionLayout.Create(Spec([2, 3, 1]), bucketBytes, ["a"]));

        Assert.Equal("targetBucketBytes", error.ParamName);
    }

        private static NetworkSpec Spec(int[] sizes) =>
        NetworkSpec.Create(sizes[0], sizes[1..^1], sizes[^1], Activation.Relu, Activation.Softmax);

    private static string[] Owners(int count) => [.. Enumerable.Range(0, count).Select(i => $"w{i}")];

    /// <summary>The floats in buckets whose owner differs between the two layouts (which have the same buckets).</summary>
    private static int Moved(ReductionLayout from, ReductionLayout to) =>
        from.Buckets.Where(b => from.OwnerOf(b.Index) != to.OwnerOf(b.Index)).Sum(b => b.Length);
}
