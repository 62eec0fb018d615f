using Backprop.Cluster.Jobs;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Training;
using Backprop.Protocol.V1;
using Trainer = Backprop.Core.Training.Trainer;

namespace Backprop.Cluster.Tests.Hosting;

/// <summary>Runs jobs on a cluster and in-process, for comparing their results.</summary>
internal static class JobRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Submits a job and collects every event until it ends.</summary>
    public static async Task<List<IJobEvent>> OnClusterAsync(
        LocalCluster cluster, Network network, DatasetSplit data, TrainingOptions options, DatasetSource? source = null, Action<IJobEvent>? onEvent = null, JobCheckpoint? resumeFrom = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var job = new TrainingJob(Guid.NewGuid().ToString("n"), network, data, options, source, resumeFrom);
        var events = await JobSubmission.SubmitAsync(cluster.Coordinator.System, cluster.Coordinator.JobManager, job, timeout.Token);
        var all = new List<IJobEvent>();
        await foreach (var jobEvent in events.ReadAllAsync(timeout.Token))
        {
            all.Add(jobEvent);
            onEvent?.Invoke(jobEvent);
        }

        return all;
    }

    /// <summary>The final parameters of a successful cluster run.</summary>
    public static float[] FinalParameters(List<IJobEvent> events)
    {
        var last = events[^1];
        return last is JobSucceeded succeeded
            ? succeeded.Network.Parameters
            : throw new Xunit.Sdk.XunitException($"the job did not succeed: {last}");
    }

    /// <summary>The final parameters of the single-process trainer on the same job.</summary>
    public static float[] InProcess(Network network, DatasetSplit data, TrainingOptions options)
    {
        var copy = new Network(network.Spec, (float[])network.Parameters.Clone());
        using var trainer = new Trainer(copy, data, options);
        foreach (var _ in trainer.Run())
        {
        }

        return copy.Parameters;
    }
}
