using Akka.Actor;

namespace Backprop.Cluster.Coordinator;

/// <summary>What a job's coordinator knows about one of its workers.</summary>
internal sealed class JobWorker(IActorRef actor)
{
    /// <summary>Smoothing of the measured throughput: the weight of the newest measurement.</summary>
    private const double ThroughputSmoothing = 0.3;

    public IActorRef Actor { get; } = actor;

    /// <summary>The direct tensor link to the worker; null: tensors go as remoting chunks.</summary>
    public Transfer.TensorLink? Link { get; set; }

    /// <summary>Stable id (the actor path), used by <see cref="StepPlan"/>.</summary>
    public string Id { get; } = actor.Path.ToString();

    /// <summary>Holds the dataset and can take shards.</summary>
    public bool Ready { get; set; }

    public int Threads { get; set; } = 1;

    /// <summary>Measured samples per second of gradient computation; 0 until the first result.</summary>
    public double Throughput { get; private set; }

    /// <summary>The step whose weights the worker holds; -1 for none.</summary>
    public long WeightsVersion { get; set; } = -1;

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
