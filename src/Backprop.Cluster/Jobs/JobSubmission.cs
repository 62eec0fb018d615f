using System.Threading.Channels;
using Akka.Actor;

namespace Backprop.Cluster.Jobs;

/// <summary>Submits a job to a job manager from outside the actor system and exposes its events as a channel.</summary>
public static class JobSubmission
{
    /// <summary>How long the job manager may take to accept a job (the singleton may still be starting).</summary>
    public static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Queues <paramref name="job"/> and returns its events; the channel completes after its
    /// <see cref="IJobOutcome"/>.
    /// </summary>
    public static async Task<ChannelReader<IJobEvent>> SubmitAsync(ActorSystem system, IActorRef jobManager, TrainingJob job, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(jobManager);
        ArgumentNullException.ThrowIfNull(job);
        var channel = Channel.CreateUnbounded<IJobEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var listener = system.ActorOf(Props.Create(() => new ChannelListener(channel.Writer)));
        await jobManager.Ask<JobAccepted>(new SubmitTrainingJob(job, listener), AcceptTimeout, cancellation).ConfigureAwait(false);
        return channel.Reader;
    }

    /// <summary>Writes a job's events into a channel and stops after the last one.</summary>
    private sealed class ChannelListener : ReceiveActor
    {
        public ChannelListener(ChannelWriter<IJobEvent> writer)
        {
            Receive<IJobEvent>(jobEvent =>
            {
                writer.TryWrite(jobEvent);
                if (jobEvent is IJobOutcome)
                {
                    writer.TryComplete();
                    Context.Stop(Self);
                }
            });
        }
    }
}
