namespace Backprop.Core.Optimizers;

/// <summary>The update rule applied to the mean gradient of a minibatch.</summary>
public enum OptimizerKind
{
    /// <summary>θ ← θ − η g.</summary>
    Sgd,

    /// <summary>Heavy-ball momentum, optionally Nesterov.</summary>
    Momentum,

    /// <summary>Adam (Kingma &amp; Ba) with bias correction.</summary>
    Adam,
}

/// <summary>Optimizer hyper-parameters. The learning rate here is the base rate a schedule scales.</summary>
/// <param name="Kind">Update rule.</param>
/// <param name="LearningRate">Base learning rate η (&gt; 0).</param>
/// <param name="Momentum">μ for <see cref="OptimizerKind.Momentum"/>, in [0, 1).</param>
/// <param name="Nesterov">Use the Nesterov look-ahead form of momentum.</param>
/// <param name="Beta1">Adam's first-moment decay, in [0, 1).</param>
/// <param name="Beta2">Adam's second-moment decay, in [0, 1).</param>
/// <param name="Epsilon">Adam's denominator guard (&gt; 0).</param>
/// <param name="WeightDecay">L2 coefficient λ (≥ 0): λθ is added to the gradient of every parameter.</param>
public sealed record OptimizerSettings(
    OptimizerKind Kind,
    float LearningRate,
    float Momentum = 0.9f,
    bool Nesterov = false,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-8f,
    float WeightDecay = 0f)
{
    /// <summary>Throws <see cref="InvalidInputException"/> naming the first bad field.</summary>
    public void Validate()
    {
        RequirePositive(LearningRate, "--lr");
        RequireFraction(Momentum, "--momentum");
        RequireFraction(Beta1, "--beta1");
        RequireFraction(Beta2, "--beta2");
        RequirePositive(Epsilon, "--epsilon");
        if (!float.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw new InvalidInputException($"--weight-decay: must be a finite number ≥ 0, got {WeightDecay}");
        }
    }

    private static void RequirePositive(float value, string field)
    {
        if (!float.IsFinite(value) || value <= 0)
        {
            throw new InvalidInputException($"{field}: must be a finite number > 0, got {value}");
        }
    }

    private static void RequireFraction(float value, string field)
    {
        if (!float.IsFinite(value) || value < 0 || value >= 1)
        {
            throw new InvalidInputException($"{field}: must be in [0, 1), got {value}");
        }
    }
}
