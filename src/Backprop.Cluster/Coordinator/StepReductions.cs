using Backprop.Core.Model;
using Backprop.Core.Optimizers;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// The coordinator's decisions about reducing steps among their workers, with no actor system: whether a step gets a
/// <see cref="ReductionRound"/> and with which slice owners, what applies a reduced bucket, which workers a step depends on
/// (the round's owners and the owners that pass its θ on to each other), and what a step run again keeps.
/// </summary>
internal sealed class StepReductions(NetworkSpec spec, int collectiveMinBytes)
{
    /// <summary>Steps after its blocks were late during which a worker reduces no slices (it still computes blocks).</summary>
    public const int SlowOwnerSteps = 20;

    /// <summary>The slice owners that pass θ of the current step on to each other (all-gather).</summary>
    private readonly HashSet<string> _gatherOwners = new(StringComparer.Ordinal);
    private int _roundNumber;
    /// <summary>The last step that runs without a reduction among workers, after a reduction of it failed.</summary>
    private long _starStep = -1;

    /// <summary>The current step's round; null when its sums are reduced at the coordinator.</summary>
    public ReductionRound? Round { get; private set; }

    /// <summary>The current step's buckets applied so far, once a round of it has started (kept when the step runs again).</summary>
    public ReducedStep? Step { get; private set; }

    /// <summary>Whether every bucket of the current round's step is applied (true when there is no round).</summary>
    public bool IsComplete => Round is null || Step!.IsComplete;

    /// <summary>
    /// Starts a round for <paramref name="step"/> over <paramref name="leaves"/> leaves when the model is large enough, the
    /// step did not fail a reduction, and every worker of the step has a tensor link; its slice owners are those not late
    /// lately, at least two. Returns null otherwise: the workers send every block's sums to the coordinator.
    /// </summary>
    public ReductionRound? StartRound(long step, int leaves, IReadOnlyList<JobWorker> participants)
    {
        var owners = participants.Where(w => step - w.SlowAtStep > SlowOwnerSteps).ToDictionary(w => w.Id, w => w.TensorEndpoint);
        var reduce = 4L * spec.ParameterCount >= collectiveMinBytes
            && step > _starStep
            && owners.Count >= 2
            && participants.All(w => w.Link is not null && w.TensorEndpoint.Length > 0);
        Round = reduce ? new ReductionRound(++_roundNumber, step, leaves, spec, owners) : null;
        if (Round is not null && Step?.Step != step)
        {
            Step = new ReducedStep(step, Round.Layout.Buckets);
        }

        return Round;
    }

    /// <summary>Whether losing <paramref name="worker"/> loses part of the step's reduction or of its θ's all-gather.</summary>
    public bool DependsOn(string worker) => (Round?.IsOwner(worker) ?? false) || _gatherOwners.Contains(worker);

    /// <summary>
    /// Gives up the current round: what it applied stays applied, but θ of the next step goes whole to every worker (buckets
    /// of it went to owners of the round given up). <paramref name="withoutReduction"/>: the step runs again at the coordinator.
    /// </summary>
    public void GiveUp(long step, bool withoutReduction)
    {
        if (withoutReduction)
        {
            _starStep = step;
        }

        Round = null;
        _gatherOwners.Clear();
        if (Step is not null)
        {
            Step.GatherBroken = true;
        }
    }

    /// <summary>
    /// The optimizer's step of a step reduced at the coordinator, from its <paramref name="sums"/> (a step with a round
    /// applies its buckets as they arrive): for every bucket not applied if earlier rounds of the step applied some.
    /// </summary>
    public void ApplyOptimizer(Optimizer optimizer, Span<float> parameters, ReadOnlySpan<float> sums, int sampleCount, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (Round is not null)
        {
            throw new InvalidOperationException("a step with a reduction round applies its buckets as they arrive");
        }

        if (Step is null)
        {
            optimizer.Step(parameters, sums, sampleCount, learningRate);
            return;
        }

        Step.ApplyRest(optimizer, sampleCount, learningRate, parameters, sums);
    }

    /// <summary>
    /// Ends the step. If every bucket of its new θ went to the owners of one round, they hold the next step's θ once they have
    /// passed the buckets on to each other (all-gather): marked as holding <paramref name="nextStep"/>'s weights, they get no
    /// whole copy. Returns the number of slice owners of the step's last round (0: reduced at the coordinator).
    /// </summary>
    public int Finish(WorkerRoster workers, long nextStep)
    {
        ArgumentNullException.ThrowIfNull(workers);
        var round = Round;
        var gathered = round is not null && Step is { GatherBroken: false };
        Round = null;
        Step = null;
        _gatherOwners.Clear();
        if (!gathered)
        {
            return round?.Layout.Owners.Count ?? 0;
        }

        foreach (var owner in round!.Layout.Owners)
        {
            if (workers.TryGet(owner, out var worker))
            {
                worker.WeightsVersion = nextStep;
                _gatherOwners.Add(owner);
            }
        }

        return round.Layout.Owners.Count;
    }
}
