using System.Buffers.Binary;
using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using Backprop.Core.Model;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// How a job's gradient reduction is cut and shared: the flat parameter vector split into layer-aligned
/// <see cref="Buckets"/>, listed in the order the backward pass produces them, and each bucket given to one of the
/// slice <see cref="Owners"/>, which combines that bucket's block sums in tree order. Immutable and a pure function
/// of its inputs, so every node that builds it from the same spec, bucket size and owners gets the same layout.
/// </summary>
/// <remarks>
/// <para><b>Buckets.</b> With T = max(1, ⌊target bytes ÷ 4⌋) floats, each layer's parameters (W then b, n floats)
/// are cut into ⌈n ÷ T⌉ contiguous parts whose lengths differ by at most one, so no bucket holds more than T floats,
/// every part of a split layer holds at least T ÷ 2, and no bucket crosses a layer boundary (a layer smaller than
/// T is one bucket; nothing is merged across layers). The buckets tile [0, P) exactly. They are listed from the
/// highest offset down: the output layer first, as backpropagation finishes it, so a reduction can start on
/// bucket 0 while earlier layers still compute. (Within a layer the order is immaterial today: the backward
/// pass finishes a layer's ΣW and Σb together, in one pass over ranges of its neurons.) The buckets depend only
/// on the spec and T, never on the owners.</para>
/// <para><b>Owners.</b> Every owner ranks the buckets by a score, the XxHash3 of the bucket's offset seeded with
/// the XxHash3 of the owner's UTF-8 id (the same on every node and process, unlike <c>string.GetHashCode</c>).
/// Then, until every bucket is owned, the owner with the fewest owned floats (ties: the ordinally smaller id)
/// takes its highest-ranked bucket not yet taken (the table fill of Google's Maglev hashing, weighted by size).
/// The result depends on the set of owner ids, not on the order of the list. An owner's buckets are in general
/// not adjacent, so it reduces each with its own <c>GradientTreeAccumulator(bucket.Offset, bucket.Length)</c>.</para>
/// <para><b>Balance bound:</b> max owned floats ≤ min owned floats + S, where S is the largest bucket (≤ T).
/// Each step adds one bucket (≤ S) to the owner with the minimum, so the new load is at most the old minimum
/// plus S, and the minimum never decreases; so max − min ≤ S holds after every step. With fewer buckets than
/// owners some owners hold nothing, and the bound still holds.</para>
/// <para><b>What moves when W changes.</b> Buckets never move: their boundaries depend only on the spec and T.
/// Only ownership does. An owner's ranking does not depend on the other owners, so a bucket changes hands only
/// where the balancing makes a displaced owner fall back on a lower choice: adding one owner to W moves about
/// 1 ÷ (W + 1) of the floats (the new owner's fair share) plus a little more, and removing one moves its share
/// plus a little more, rather than most of the vector as a round-robin or contiguous re-cut would. Measured on
/// 784-512-512-10 for W = 1..8, in fair shares (P ÷ (W + 1) floats): with 16 KiB buckets (166), adding an owner
/// moves at most 1.47 and removing one at most 1.53; with 4,000-byte buckets (671), at most 1.35 (the tests pin
/// 1.6). The fewer buckets per owner, the coarser this gets: with 1 MiB buckets (5) up to 3 fair shares move.</para>
/// <para>Cost: O(W·N·log N) to build for N buckets, once per membership change, not per step.</para>
/// </remarks>
public sealed class ReductionLayout
{
    private readonly ImmutableArray<ReductionBucket> _buckets;
    private readonly ImmutableArray<string> _owners;
    private readonly ImmutableArray<string> _ownerOfBucket;
    private readonly ImmutableDictionary<string, ImmutableArray<ReductionBucket>> _bucketsByOwner;
    private readonly ImmutableDictionary<string, int> _elementsByOwner;

    private ReductionLayout(int parameterCount, ImmutableArray<ReductionBucket> buckets, ImmutableArray<string> owners, ImmutableArray<string> ownerOfBucket)
    {
        ParameterCount = parameterCount;
        _buckets = buckets;
        _owners = owners;
        _ownerOfBucket = ownerOfBucket;
        _bucketsByOwner = owners.ToImmutableDictionary(
            owner => owner,
            owner => buckets.Where(b => ownerOfBucket[b.Index] == owner).ToImmutableArray(),
            StringComparer.Ordinal);
        _elementsByOwner = _bucketsByOwner.ToImmutableDictionary(o => o.Key, o => o.Value.Sum(b => b.Length), StringComparer.Ordinal);
    }

    /// <summary>P, the length of the flat parameter vector that <see cref="Buckets"/> tile.</summary>
    public int ParameterCount { get; }

    /// <summary>Every bucket, in the order the backward pass produces them (highest offset first); bucket i has <see cref="ReductionBucket.Index"/> i.</summary>
    public IReadOnlyList<ReductionBucket> Buckets => _buckets;

    /// <summary>The slice owners, in the order they were given.</summary>
    public IReadOnlyList<string> Owners => _owners;

    /// <summary>Cuts the parameters of <paramref name="spec"/> into buckets of about <paramref name="targetBucketBytes"/> and shares them among <paramref name="owners"/>.</summary>
    /// <param name="spec">The network whose flat parameter vector (and gradient sums) the layout cuts.</param>
    /// <param name="targetBucketBytes">The most bytes of float32 a bucket holds (a bucket holds at least one float).</param>
    /// <param name="owners">The ids of the slice owners (workers), at least one, each once.</param>
    /// <exception cref="ArgumentException">No owners, an empty id, or an id given twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetBucketBytes"/> is not positive.</exception>
    public static ReductionLayout Create(NetworkSpec spec, int targetBucketBytes, IReadOnlyList<string> owners)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetBucketBytes);
        ArgumentNullException.ThrowIfNull(owners);
        if (owners.Count == 0)
        {
            throw new ArgumentException("a reduction layout needs at least one slice owner", nameof(owners));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var owner in owners)
        {
            if (string.IsNullOrEmpty(owner))
            {
                throw new ArgumentException("a slice owner's id is null or empty", nameof(owners));
            }

            if (!seen.Add(owner))
            {
                throw new ArgumentException($"slice owner '{owner}' is listed more than once", nameof(owners));
            }
        }

        var buckets = CutBuckets(spec, Math.Max(1, targetBucketBytes / sizeof(float)));
        return new ReductionLayout(spec.ParameterCount, buckets, [.. owners], AssignOwners(buckets, owners));
    }

    /// <summary>The owner of bucket <paramref name="bucketIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No bucket has that index.</exception>
    public string OwnerOf(int bucketIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucketIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucketIndex, _buckets.Length);
        return _ownerOfBucket[bucketIndex];
    }

    /// <summary>The buckets that <paramref name="owner"/> reduces, in backward-pass order; empty when there are fewer buckets than owners.</summary>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is not one of <see cref="Owners"/>.</exception>
    public IReadOnlyList<ReductionBucket> BucketsOf(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return _bucketsByOwner.TryGetValue(owner, out var buckets) ? buckets : throw UnknownOwner(owner);
    }

    /// <summary>The number of parameters (floats) in the buckets of <paramref name="owner"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is not one of <see cref="Owners"/>.</exception>
    public int ElementsOf(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return _elementsByOwner.TryGetValue(owner, out var elements) ? elements : throw UnknownOwner(owner);
    }

    /// <summary>The bucket whose range holds parameter <paramref name="parameterIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [0, <see cref="ParameterCount"/>).</exception>
    public ReductionBucket BucketContaining(int parameterIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(parameterIndex, ParameterCount);

        // Offsets fall as the index rises: find the first bucket that starts at or below the parameter.
        var low = 0;
        var high = _buckets.Length - 1;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_buckets[middle].Offset <= parameterIndex)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return _buckets[low];
    }

    private ArgumentException UnknownOwner(string owner) =>
        new($"'{owner}' is not a slice owner of this layout ({string.Join(", ", Owners)})", nameof(owner));

    /// <summary>Each layer, last first, cut into ⌈n ÷ T⌉ near-equal parts, highest offset first.</summary>
    private static ImmutableArray<ReductionBucket> CutBuckets(NetworkSpec spec, int bucketElements)
    {
        var buckets = ImmutableArray.CreateBuilder<ReductionBucket>();
        for (var layer = spec.Layers.Count - 1; layer >= 0; layer--)
        {
            var count = spec.Layers[layer].ParameterCount;
            var parts = ((count - 1) / bucketElements) + 1;
            var (length, longer) = Math.DivRem(count, parts);

            // Part i (from the layer's start) holds length + 1 floats for i < longer; walk the parts from the end.
            var end = spec.Layers[layer].WeightOffset + count;
            for (var part = parts - 1; part >= 0; part--)
            {
                var partLength = length + (part < longer ? 1 : 0);
                end -= partLength;
                buckets.Add(new ReductionBucket(buckets.Count, layer, end, partLength));
            }
        }

        return buckets.ToImmutable();
    }

    /// <summary>The least-loaded owner (ties: smaller id) takes its highest-ranked free bucket, until none is free.</summary>
    private static ImmutableArray<string> AssignOwners(ImmutableArray<ReductionBucket> buckets, IReadOnlyList<string> owners)
    {
        var ids = owners.Order(StringComparer.Ordinal).ToArray();
        var rankings = ids.Select(id => Ranking(id, buckets)).ToArray();
        var next = new int[ids.Length];
        var loads = new long[ids.Length];
        var ownerOf = new string[buckets.Length];
        for (var assigned = 0; assigned < buckets.Length; assigned++)
        {
            var taker = 0;
            for (var o = 1; o < ids.Length; o++)
            {
                if (loads[o] < loads[taker])
                {
                    taker = o;
                }
            }

            while (ownerOf[rankings[taker][next[taker]]] is not null)
            {
                next[taker]++;
            }

            var bucket = rankings[taker][next[taker]];
            ownerOf[bucket] = ids[taker];
            loads[taker] += buckets[bucket].Length;
        }

        return [.. ownerOf];
    }

    /// <summary>The bucket indices in <paramref name="owner"/>'s order of preference: highest score first, ties by index.</summary>
    private static int[] Ranking(string owner, ImmutableArray<ReductionBucket> buckets)
    {
        var seed = (long)XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(owner));
        Span<byte> offset = stackalloc byte[sizeof(int)];
        var scores = new ulong[buckets.Length];
        foreach (var bucket in buckets)
        {
            BinaryPrimitives.WriteInt32LittleEndian(offset, bucket.Offset);
            scores[bucket.Index] = XxHash3.HashToUInt64(offset, seed);
        }

        var ranking = Enumerable.Range(0, buckets.Length).ToArray();
        Array.Sort(ranking, (x, y) => scores[x] != scores[y] ? scores[y].CompareTo(scores[x]) : x.CompareTo(y));
        return ranking;
    }
}
