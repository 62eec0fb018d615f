using System.Threading.Channels;
using Backprop.Cli.Output;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;
using Backprop.Cluster.Security;
using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Training;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Cluster;

/// <summary>
/// <c>backprop train --workers N</c>: a real cluster on loopback — this process is the coordinator node, each
/// worker is a <c>backprop worker</c> child process — that trains one job and is torn down afterwards. Its nodes use
/// mutual TLS with throwaway certificates (<see cref="LocalClusterCertificates"/>), unless plaintext is asked for.
/// </summary>
internal static class LocalClusterTraining
{
    /// <summary>How long the worker processes may take to start and join.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Trains <paramref name="network"/> in place; progress goes to <paramref name="printer"/>. Returns the last epoch's report.</summary>
    public static EpochReport Run(
        Network network, DatasetSplit data, TrainingOptions options, DatasetSource source, int workers, int threadsPerWorker, bool plaintext, EpochPrinter printer) =>
        RunAsync(network, data, options, source, workers, threadsPerWorker, plaintext, printer).GetAwaiter().GetResult();

    private static async Task<EpochReport> RunAsync(
        Network network, DatasetSplit data, TrainingOptions options, DatasetSource source, int workers, int threadsPerWorker, bool plaintext, EpochPrinter printer)
    {
        // Every process is on this machine: its links are memory copies, so the star (every block's sums to the
        // coordinator) beats the workers' reduction among themselves, which spends more hops and copies to spare a
        // network (measured on 784-512-512-10 with two workers: about 27-30k against 20k samples/s).
        using var certificates = plaintext ? null : new LocalClusterCertificates();
        var tls = certificates?.Tls ?? new ClusterTlsOptions { Enabled = false };
        var coordinator = await BackpropNode.StartAsync(
            new ClusterOptions { Port = 0, MinWorkers = workers, CollectiveMinBytes = int.MaxValue, Tls = tls }).ConfigureAwait(false);
        var processes = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                processes.Add(WorkerProcess.Start(coordinator.Address.ToString(), threadsPerWorker, tls));
            }

            var started = Task.WhenAll(processes.Select(p => p.Ready));
            if (await Task.WhenAny(started, Task.Delay(StartTimeout)).ConfigureAwait(false) != started)
            {
                throw new ClusterRunException($"the {workers} worker processes did not join within {StartTimeout.TotalSeconds:0} s");
            }

            await started.ConfigureAwait(false);
            var job = new TrainingJob($"local-{Guid.NewGuid():n}", network, data, options, source);
            var events = await JobSubmission.SubmitAsync(coordinator.System, coordinator.JobManager, job).ConfigureAwait(false);
            var allExited = Task.WhenAll(processes.Select(p => p.Exited));
            // Not disposed: the continuation may fire after this method, when the workers are stopped on purpose.
            var workersGone = new CancellationTokenSource();
            _ = allExited.ContinueWith(_ => workersGone.Cancel(), TaskScheduler.Default);
            try
            {
                return await FollowAsync(events, network, printer, workersGone.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (allExited.IsCompleted)
            {
                throw new ClusterRunException($"every worker process exited before the job finished; {(await allExited.ConfigureAwait(false))[^1]}");
            }
        }
        catch (InvalidOperationException e)
        {
            throw new ClusterRunException(e.Message);
        }
        finally
        {
            // The coordinator leaves first: a worker that exits while still associated makes remoting log errors here.
            await coordinator.DisposeAsync().ConfigureAwait(false);
            await Task.WhenAll(processes.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>Shows the job's progress and copies the final weights into <paramref name="network"/>; returns the last epoch's report.</summary>
    private static async Task<EpochReport> FollowAsync(ChannelReader<IJobEvent> events, Network network, EpochPrinter printer, CancellationToken cancellation)
    {
        EpochReport? last = null;
        await foreach (var jobEvent in events.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            switch (jobEvent)
            {
                case JobStepCompleted step:
                    printer.Step(step.Progress);
                    break;
                case JobEpochCompleted epoch:
                    printer.Epoch(epoch.Report);
                    last = epoch.Report;
                    break;
                case JobSucceeded succeeded:
                    succeeded.Network.Parameters.CopyTo(network.Parameters, 0);
                    break;
                case JobFailed failed:
                    throw new ClusterRunException($"the job failed: {failed.Reason}");
            }
        }

        return last ?? throw new ClusterRunException("the job ended without finishing an epoch");
    }
}
