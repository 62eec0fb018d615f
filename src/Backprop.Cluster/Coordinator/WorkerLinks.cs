using Akka.Actor;
using Backprop.Cluster.Security;
using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// The coordinator's direct tensor links to its workers, kept off its thread: a link is opened on a task whose outcome
/// comes back as <see cref="LinkConnected"/> or <see cref="LinkNotConnected"/>, and θ is queued on a link's writer from a
/// <see cref="SharedTensor"/> snapshot that the send holds until it is written. What a link receives, and its closing,
/// come back as <see cref="LinkSumsArrived"/> and <see cref="LinkClosed"/>.
/// </summary>
/// <remarks>With <c>tls</c> (the node's certificates when Cluster:Tls is on) every link is mutual TLS.</remarks>
internal sealed class WorkerLinks(string jobId, IActorRef coordinator, TensorBufferPool buffers, TimeSpan sendTimeout, ClusterCertificates? tls)
{
    /// <summary>How long opening a worker's tensor link may take before tensors go by remoting instead.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Starts opening a link to <paramref name="worker"/> at <paramref name="endpoint"/> ("host:port").</summary>
    public void Open(JobWorker worker, string endpoint) =>
        _ = TensorLink.ConnectAsync(endpoint, jobId, ConnectTimeout, sendTimeout, tls: tls).PipeTo(
            coordinator,
            success: link => new LinkConnected(worker, link),
            failure: e => new LinkNotConnected(worker, e is OperationCanceledException ? $"no answer within {ConnectTimeout}" : e.Message));

    /// <summary>Gives <paramref name="worker"/> its opened <paramref name="link"/> and starts its reader and writer.</summary>
    public void Use(JobWorker worker, TensorLink link)
    {
        worker.Link = link;
        var id = worker.Id;
        link.Start(
            buffers,
            (header, sums) => coordinator.Tell(new LinkSumsArrived(id, header, sums)),
            reason => coordinator.Tell(new LinkClosed(id, link, reason)),
            acceptSlices: true);
    }

    /// <summary>
    /// Queues θ of <paramref name="step"/> on the worker's link, which holds <paramref name="weights"/> until it is written;
    /// false, with the link closed and gone, when the worker has none or it failed, so that θ goes another way.
    /// </summary>
    public bool TrySendWeights(JobWorker worker, long step, SharedTensor weights, out string? failure)
    {
        failure = null;
        if (worker.Link is not { } link)
        {
            return false;
        }

        var header = new TensorFrameHeader(step, 0, 0, 0, 0, 0, 0, weights.Values.Length, weights.Checksum);
        weights.Retain();
        if (link.TrySend(header, weights.Values, weights.Release, out failure))
        {
            return true;
        }

        weights.Release();
        worker.Link = null;
        return false;
    }

    /// <summary>
    /// Queues <paramref name="bucket"/> of θ of <paramref name="step"/> for <paramref name="owner"/>, the bucket's slice owner
    /// in reduction round <paramref name="round"/>, which passes it on to the other owners; a copy, since θ changes again
    /// next step. False when the owner has no link or it failed.
    /// </summary>
    public bool TrySendBucket(JobWorker owner, long step, int round, ReductionBucket bucket, ReadOnlySpan<float> parameters)
    {
        if (owner.Link is not { } link)
        {
            return false;
        }

        var values = parameters.Slice(bucket.Offset, bucket.Length);
        var header = new TensorFrameHeader(step, 0, 0, 0, 0, 0, bucket.Offset, bucket.Length, Protocol.TensorChecksum.Of(values))
        {
            Kind = TensorFrameKind.GatherWeights,
            Round = round,
        };
        return link.TrySendCopy(header, values, buffers, out _);
    }
}
