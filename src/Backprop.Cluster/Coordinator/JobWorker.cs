using System.Diagnostics;
using Akka.Actor;

namespace Backprop.Cluster.Coordinator;

/// <summary>What a job's coordinator knows about one of its workers.</summary>
internal sealed class JobWorker(IActorRef actor)
{
    /// <summary>Smoothing of the measured throughput: the weight of the newest measurement.</summary>
    private const double ThroughputSmoothing = 0.3;

    /// <summary>When the worker was first sent blocks it still owes (Stopwatch timestamp); 0: it owes none.</summary>
    private long _sentAt;

    /// <summary>Samples of the blocks that arrived since <see cref="_sentAt"/>.</summary>
    private int _samplesSinceSent;

    public IActorRef Actor { get; } = actor;

    /// <summary>The direct tensor link to the worker; null: tensors go as remoting chunks.</summary>
    public Transfer.TensorLink? Link { get; set; }

    /// <summary>Where the worker takes tensor links ("host:port"); empty: it takes none.</summary>
    public string TensorEndpoint { get; set; } = "";

    /// <summary>The step at which its blocks were last late: for a while it reduces no slices, which would hold up every step.</summary>
    public long SlowAtStep { get; set; } = long.MinValue / 2;

    /// <summary>Stable id (the actor path), used by <see cref="StepPlan"/>.</summary>
    public string Id { get; } = actor.Path.ToString();

    /// <summary>Holds the dataset and has joined the job.</summary>
    public bool Ready { get; set; }

    /// <summary>False while the cluster's failure detector finds the worker's node unreachable.</summary>
    public bool Reachable { get; set; } = true;

    /// <summary>
    /// True from the time its blocks were late and sent to others too until any result of it arrives: new blocks would
    /// only queue behind the late ones (on a slow link, behind their transfers).
    /// </summary>
    public bool Lagging { get; set; }

    /// <summary>Whether steps may give the worker blocks: it is ready, reachable and not lagging.</summary>
    public bool CanTakeBlocks => Ready && Reachable && !Lagging;

    public int Threads { get; set; } = 1;

    /// <summary>Measured samples per second of gradient computation; 0 until the first result.</summary>
    public double Throughput { get; private set; }

    /// <summary>The step whose weights the worker holds; -1 for none.</summary>
    public long WeightsVersion { get; set; } = -1;

    /// <summary>
    /// Measured seconds per sample from sending blocks to their sums arriving (transfers, queueing and compute);
    /// 0 until the first result.
    /// </summary>
    public double RoundTripPerSample { get; private set; }

    /// <summary>Notes that blocks were sent at <paramref name="timestamp"/>; the clock runs from the first of those it still owes.</summary>
    public void BlocksSent(long timestamp)
    {
        if (_sentAt == 0)
        {
            _sentAt = timestamp;
            _samplesSinceSent = 0;
        }
    }

    /// <summary>
    /// Records the round trip of a block of <paramref name="samples"/> that arrived at <paramref name="timestamp"/>. When
    /// the worker then owes nothing (<paramref name="owesMore"/> false), its clock stops: blocks it is sent later (moved
    /// from a lost or late worker) are timed from their own send, not from the step's start with the idle gap between.
    /// </summary>
    public void BlockArrived(int samples, long timestamp, bool owesMore)
    {
        if (_sentAt != 0 && samples > 0)
        {
            // Blocks are computed one after another, so the k-th arrives after the samples of all k.
            _samplesSinceSent += samples;
            var measured = Stopwatch.GetElapsedTime(_sentAt, timestamp).TotalSeconds / _samplesSinceSent;
            RoundTripPerSample = RoundTripPerSample == 0 ? measured : ((1 - ThroughputSmoothing) * RoundTripPerSample) + (ThroughputSmoothing * measured);
        }

        if (!owesMore)
        {
            Idle();
        }
    }

    /// <summary>The worker owes no blocks any more (its step ended, or its blocks moved to others).</summary>
    public void Idle() => _sentAt = 0;

    /// <summary>How long the worker has owed blocks at <paramref name="timestamp"/>; zero when it owes none.</summary>
    public TimeSpan Waited(long timestamp) => _sentAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_sentAt, timestamp);

    /// <summary>Samples whose results have arrived since the worker was sent what it owes.</summary>
    public int SamplesArrived => _sentAt == 0 ? 0 : _samplesSinceSent;

    public void RecordThroughput(int samples, double seconds)
    {
        if (samples <= 0 || !(seconds > 0))
        {
            return;
        }

        var measured = samples / seconds;
        Throughput = Throughput == 0 ? measured : ((1 - ThroughputSmoothing) * Throughput) + (ThroughputSmoothing * measured);
    }
}
