using Backprop.Cluster.Transfer;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// One reduction round of a step at the coordinator: the step's workers send their blocks' sums bucket by bucket to the
/// slice owners of <see cref="Layout"/>, and each owner sends each of its buckets, reduced over every leaf, here once.
/// The round collects them into <see cref="Sums"/>; once every bucket is in, the sums have the bits of the whole-vector
/// tree sum. A round is given up (a new one starts, with a new number) when an owner is lost; nothing of it carries over.
/// </summary>
internal sealed class ReductionRound
{
    /// <summary>Buckets per owner that the bucket size aims at: enough for the layout to balance, few enough frames per block.</summary>
    private const int BucketsPerOwner = 8;

    /// <summary>The smallest bucket, so that small layers are not cut into many tiny frames.</summary>
    private const int MinBucketBytes = 4096;

    private readonly bool[] _received;
    private readonly Dictionary<string, string> _endpoints;
    private int _receivedCount;

    /// <summary>Round <paramref name="number"/> of step <paramref name="step"/> over <paramref name="leafCount"/> leaves, reduced by <paramref name="owners"/> (id → tensor endpoint).</summary>
    public ReductionRound(int number, long step, int leafCount, Core.Model.NetworkSpec spec, IReadOnlyDictionary<string, string> owners, float[] sums)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owners);
        Number = number;
        Step = step;
        LeafCount = leafCount;
        BucketBytes = BucketBytesFor(spec.ParameterCount, owners.Count);
        Layout = ReductionLayout.Create(spec, BucketBytes, [.. owners.Keys.Order(StringComparer.Ordinal)]);
        _endpoints = new Dictionary<string, string>(owners, StringComparer.Ordinal);
        _received = new bool[Layout.Buckets.Count];
        Sums = sums;
    }

    public int Number { get; }

    public long Step { get; }

    public int LeafCount { get; }

    public int BucketBytes { get; }

    public ReductionLayout Layout { get; }

    /// <summary>The step's sums, bucket by bucket as they arrive; whole once <see cref="IsComplete"/>.</summary>
    public float[] Sums { get; }

    /// <summary>Whether every bucket's reduced sums have arrived.</summary>
    public bool IsComplete => _receivedCount == _received.Length;

    /// <summary>Whether <paramref name="worker"/> reduces buckets in this round.</summary>
    public bool IsOwner(string worker) => _endpoints.ContainsKey(worker);

    /// <summary>The bucket size for <paramref name="parameterCount"/> parameters over <paramref name="owners"/> owners.</summary>
    public static int BucketBytesFor(int parameterCount, int owners) =>
        (int)Math.Max(MinBucketBytes, Math.Ceiling(4.0 * parameterCount / (BucketsPerOwner * Math.Max(1, owners))));

    /// <summary>What <paramref name="worker"/> needs to know of the round, in its <see cref="ComputeGradients"/>.</summary>
    public Reduction MessageFor(string worker)
    {
        var message = new Reduction { Round = Number, BucketBytes = BucketBytes, LeafCount = LeafCount, Self = worker };
        message.Owners.AddRange(Layout.Owners.Select(owner => new ReductionPeer { Id = owner, TensorEndpoint = _endpoints[owner] }));
        return message;
    }

    /// <summary>
    /// Takes a reduced bucket (<see cref="TensorFrameKind.ReducedSums"/>) from <paramref name="sender"/>; false, changing
    /// nothing, for another round or step, a bucket the sender does not own, a cut that is not a bucket, or a duplicate.
    /// </summary>
    public bool Accept(string sender, TensorFrameHeader header, ReadOnlySpan<float> values)
    {
        if (header.Round != Number || header.Step != Step || header.ValueCount == 0 || header.Offset >= Layout.ParameterCount)
        {
            return false;
        }

        var bucket = Layout.BucketContaining(header.Offset);
        if (bucket.Offset != header.Offset || bucket.Length != values.Length || Layout.OwnerOf(bucket.Index) != sender || _received[bucket.Index])
        {
            return false;
        }

        values.CopyTo(Sums.AsSpan(bucket.Offset, bucket.Length));
        _received[bucket.Index] = true;
        _receivedCount++;
        return true;
    }
}
