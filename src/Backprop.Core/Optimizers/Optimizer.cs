namespace Backprop.Core.Optimizers;

/// <summary>
/// Applies one update to the flat parameter buffer from the MEAN gradient of a minibatch.
/// Implementations keep their state (velocities, moments) in buffers of the same layout.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates the optimizer <paramref name="settings"/> describe for <paramref name="parameterCount"/> parameters.</summary>
    public static Optimizer Create(OptimizerSettings settings, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return settings.Kind switch
        {
            OptimizerKind.Sgd => new SgdOptimizer(settings.WeightDecay),
            OptimizerKind.Momentum => new MomentumOptimizer(settings.Momentum, settings.Nesterov, settings.WeightDecay, parameterCount),
            OptimizerKind.Adam => new AdamOptimizer(settings.Beta1, settings.Beta2, settings.Epsilon, settings.WeightDecay, parameterCount),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "unknown optimizer"),
        };
    }

    /// <summary>Updates <paramref name="parameters"/> in place with learning rate <paramref name="learningRate"/>.</summary>
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> meanGradient, float learningRate);

    /// <summary>Guard shared by the implementations.</summary>
    protected static void CheckLengths(Span<float> parameters, ReadOnlySpan<float> meanGradient, int stateLength)
    {
        if (meanGradient.Length != parameters.Length)
        {
            throw new ArgumentException($"gradient has {meanGradient.Length} values for {parameters.Length} parameters", nameof(meanGradient));
        }

        if (stateLength >= 0 && stateLength != parameters.Length)
        {
            throw new ArgumentException($"optimizer was created for {stateLength} parameters, got {parameters.Length}", nameof(parameters));
        }
    }
}
