namespace Backprop.Core.Optimizers;

/// <summary>How the learning rate changes over a run.</summary>
public enum ScheduleKind
{
    /// <summary>η_t = η.</summary>
    Constant,

    /// <summary>η_t = η · factor^⌊epoch / every⌋.</summary>
    StepDecay,

    /// <summary>η_t = η · ½(1 + cos(π t / T)) over the T steps of the run.</summary>
    Cosine,
}

/// <summary>The learning rate for each step of a run.</summary>
/// <param name="Kind">Shape of the schedule.</param>
/// <param name="BaseRate">η.</param>
/// <param name="StepsPerEpoch">Minibatches per epoch (&gt; 0).</param>
/// <param name="TotalSteps">Steps in the whole run (&gt; 0), the T of the cosine.</param>
/// <param name="DecayEveryEpochs">Epochs between step decays (&gt; 0).</param>
/// <param name="DecayFactor">Multiplier at each step decay, in (0, 1].</param>
public sealed record LearningRateSchedule(
    ScheduleKind Kind,
    float BaseRate,
    int StepsPerEpoch,
    int TotalSteps,
    int DecayEveryEpochs = 10,
    float DecayFactor = 0.5f)
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based, counted over the whole run).</summary>
    public float RateAt(long step) => Kind switch
    {
        ScheduleKind.Constant => BaseRate,
        ScheduleKind.StepDecay => (float)(BaseRate * Math.Pow(DecayFactor, step / StepsPerEpoch / DecayEveryEpochs)),
        ScheduleKind.Cosine => (float)(BaseRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, TotalSteps) / TotalSteps))),
        _ => throw new InvalidOperationException($"unknown schedule {Kind}"),
    };

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first bad field (by its flag where it has one).</summary>
    public void Validate()
    {
        if (!float.IsFinite(BaseRate) || BaseRate <= 0)
        {
            throw new InvalidInputException($"--lr: must be a finite number > 0, got {BaseRate}");
        }

        if (StepsPerEpoch <= 0)
        {
            throw new InvalidInputException($"schedule: steps per epoch must be > 0, got {StepsPerEpoch} (is the training set empty?)");
        }

        if (TotalSteps <= 0)
        {
            throw new InvalidInputException($"schedule: total steps must be > 0, got {TotalSteps} (check --epochs)");
        }

        if (DecayEveryEpochs <= 0)
        {
            throw new InvalidInputException($"--lr-decay-epochs: must be > 0, got {DecayEveryEpochs}");
        }

        // Written so that NaN fails too.
        if (!(DecayFactor > 0 && DecayFactor <= 1))
        {
            throw new InvalidInputException($"--lr-decay-factor: must be in (0, 1], got {DecayFactor}");
        }
    }

    /// <summary>Parses a schedule name as written in flags.</summary>
    public static ScheduleKind ParseKind(string name) => name.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.StepDecay,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new InvalidInputException($"--schedule: unknown schedule '{name}' (use constant, step or cosine)"),
    };
}
