using Akka.Actor;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Jobs;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// The cluster's job queue (a singleton on the coordinator role): accepts jobs in FIFO order and runs up to
/// <see cref="ClusterOptions.MaxConcurrentJobs"/> of them at once, one <see cref="TrainingCoordinator"/> child each.
/// </summary>
public sealed class JobManager : ReceiveActor
{
    private readonly ClusterOptions _options;
    private readonly Queue<SubmitTrainingJob> _queue = new();
    private readonly Dictionary<IActorRef, string> _running = [];

    /// <summary>A job manager running jobs as <paramref name="options"/> allow.</summary>
    public JobManager(ClusterOptions options)
    {
        _options = options;
        Receive<SubmitTrainingJob>(submit =>
        {
            var id = submit.Job.JobId;
            if (_running.ContainsValue(id) || _queue.Any(queued => queued.Job.JobId == id))
            {
                // A second actor with the job's name would throw and restart the manager, losing its queue.
                Sender.Tell(new Status.Failure(new InvalidOperationException($"job {id} is already queued or running")));
                return;
            }

            _queue.Enqueue(submit);
            Sender.Tell(new JobAccepted(submit.Job.JobId));
            StartQueuedJobs();
        });
        Receive<CancelTrainingJob>(Cancel);
        Receive<Terminated>(terminated =>
        {
            _running.Remove(terminated.ActorRef);
            StartQueuedJobs();
        });
    }

    /// <summary>Props of the job manager.</summary>
    public static Props Props(ClusterOptions options) => Akka.Actor.Props.Create(() => new JobManager(options));

    private void Cancel(CancelTrainingJob cancel)
    {
        var running = _running.FirstOrDefault(entry => entry.Value == cancel.JobId).Key;
        if (running is not null)
        {
            // The coordinator tells the job's workers and its listener, then stops.
            running.Forward(cancel);
            Sender.Tell(new JobCancelAnswered(cancel.JobId, Found: true));
            return;
        }

        var queued = _queue.FirstOrDefault(submit => submit.Job.JobId == cancel.JobId);
        if (queued is not null)
        {
            var kept = _queue.Where(submit => submit != queued).ToList();
            _queue.Clear();
            kept.ForEach(_queue.Enqueue);
            queued.Listener.Tell(new JobCancelled(cancel.JobId, cancel.Reason));
        }

        Sender.Tell(new JobCancelAnswered(cancel.JobId, queued is not null));
    }

    private void StartQueuedJobs()
    {
        while (_running.Count < _options.MaxConcurrentJobs && _queue.TryDequeue(out var submit))
        {
            var coordinator = Context.ActorOf(
                TrainingCoordinator.Props(submit.Job, submit.Listener, _options).WithDispatcher(ClusterHocon.ComputeDispatcher),
                $"job-{Uri.EscapeDataString(submit.Job.JobId)}");
            Context.Watch(coordinator);
            _running[coordinator] = submit.Job.JobId;
        }
    }
}
