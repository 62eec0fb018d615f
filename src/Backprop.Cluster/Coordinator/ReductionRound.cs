using Backprop.Cluster.Transfer;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// One reduction round of a step at the coordinator: the step's workers send their blocks' sums bucket by bucket to the
/// slice owners of <see cref="Layout"/>, and each owner sends each of its buckets, reduced over every leaf, here once; a
/// bucket's sums then have the bits of the whole-vector tree sum for its elements. A round is given up (a new one of the
/// same step starts, with a new number) when an owner is lost; the buckets are the same in every round of a job (they
/// depend on the model only), so what was applied from the old round stays applied.
/// </summary>
internal sealed class ReductionRound
{
    /// <summary>Buckets of a model: enough for the layout to balance over many owners, few enough frames per block.</summary>
    private const int BucketsPerModel = 128;

    /// <summary>The smallest bucket, so that small layers are not cut into many tiny frames.</summary>
    private const int MinBucketBytes = 4096;

    private readonly Dictionary<string, string> _endpoints;

    /// <summary>Round <paramref name="number"/> of step <paramref name="step"/> over <paramref name="leafCount"/> leaves, reduced by <paramref name="owners"/> (id → tensor endpoint).</summary>
    public ReductionRound(int number, long step, int leafCount, Core.Model.NetworkSpec spec, IReadOnlyDictionary<string, string> owners)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owners);
        Number = number;
        Step = step;
        LeafCount = leafCount;
        BucketBytes = BucketBytesFor(spec.ParameterCount);
        Layout = ReductionLayout.Create(spec, BucketBytes, [.. owners.Keys.Order(StringComparer.Ordinal)]);
        _endpoints = new Dictionary<string, string>(owners, StringComparer.Ordinal);
    }

    public int Number { get; }

    public long Step { get; }

    public int LeafCount { get; }

    public int BucketBytes { get; }

    public ReductionLayout Layout { get; }

    /// <summary>Whether <paramref name="worker"/> reduces buckets in this round.</summary>
    public bool IsOwner(string worker) => _endpoints.ContainsKey(worker);

    /// <summary>The bucket size of a model of <paramref name="parameterCount"/> parameters, whatever the owners.</summary>
    public static int BucketBytesFor(int parameterCount) =>
        (int)Math.Max(MinBucketBytes, Math.Ceiling(4.0 * parameterCount / BucketsPerModel));

    /// <summary>What <paramref name="worker"/> needs to know of the round, in its <see cref="ComputeGradients"/>.</summary>
    public Reduction MessageFor(string worker)
    {
        var message = new Reduction { Round = Number, BucketBytes = BucketBytes, LeafCount = LeafCount, Self = worker };
        message.Owners.AddRange(Layout.Owners.Select(owner => new ReductionPeer { Id = owner, TensorEndpoint = _endpoints[owner] }));
        return message;
    }

    /// <summary>
    /// The bucket of a reduced bucket's frame (<see cref="TensorFrameKind.ReducedSums"/>) from <paramref name="sender"/>;
    /// null for another round or step, a bucket the sender does not own, or a cut that is not a bucket.
    /// </summary>
    public ReductionBucket? BucketOf(string sender, TensorFrameHeader header)
    {
        if (header.Round != Number || header.Step != Step || header.ValueCount == 0 || header.Offset >= Layout.ParameterCount)
        {
            return null;
        }

        var bucket = Layout.BucketContaining(header.Offset);
        return bucket.Offset == header.Offset && bucket.Length == header.ValueCount && Layout.OwnerOf(bucket.Index) == sender ? bucket : null;
    }
}
