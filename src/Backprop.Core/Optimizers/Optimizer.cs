namespace Backprop.Core.Optimizers;

/// <summary>
/// Applies one update to the flat parameter buffer from the MEAN gradient of a minibatch.
/// Implementations keep their state (velocities, moments) in buffers of the same layout, and run
/// one vectorised pass over memory per step; the vector body and the scalar tail use the same
/// fused multiply-adds, so every parameter gets the same bits whichever of them handles it.
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

    /// <summary>Updates <paramref name="parameters"/> in place from the mean gradient, with learning rate <paramref name="learningRate"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> meanGradient, float learningRate) =>
        Step(parameters, meanGradient, 1, learningRate);

    /// <summary>
    /// Updates <paramref name="parameters"/> in place from the SUMMED gradients of <paramref name="sampleCount"/>
    /// samples: the mean g = sum / count is formed inside the same pass (the same bits as dividing first).
    /// </summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradientSums, int sampleCount, float learningRate)
    {
        // Every check before BeginStep, so that a bad call leaves the step count (Adam's t) alone.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        CheckSlice(0, parameters.Length, gradientSums.Length);
        if (StateLength is { } length && length != parameters.Length)
        {
            throw new ArgumentException($"optimizer was created for {length} parameters, got {parameters.Length}", nameof(parameters));
        }

        BeginStep(sampleCount, learningRate).Apply(0, parameters, gradientSums);
    }

    /// <summary>
    /// Begins a step from the SUMMED gradients of <paramref name="sampleCount"/> samples, to be applied slice by slice
    /// with <see cref="OptimizerStep.Apply"/>; advances the step count (Adam's t) once for all slices.
    /// </summary>
    public OptimizerStep BeginStep(int sampleCount, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        StateSteps++; // optimizers that count no steps ignore it and keep 0
        return new OptimizerStep(this, StateSteps, sampleCount, learningRate);
    }

    /// <summary>A copy of the optimizer's state, from which <see cref="RestoreState"/> continues exactly.</summary>
    public OptimizerState CaptureState() => new(StateSteps, [.. StateBuffers.Select(buffer => (float[])buffer.Clone())]);

    /// <summary>Continues from <paramref name="state"/>, taken by <see cref="CaptureState"/> of the same kind of optimizer and size.</summary>
    /// <exception cref="ArgumentException">The state has other buffers or sizes than this optimizer's.</exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var buffers = StateBuffers;
        if (state.Buffers.Count != buffers.Count || state.StepCount < 0)
        {
            throw new ArgumentException($"the state has {state.Buffers.Count} buffers and {state.StepCount} steps; this optimizer keeps {buffers.Count} buffers", nameof(state));
        }

        for (var i = 0; i < buffers.Count; i++)
        {
            if (state.Buffers[i].Length != buffers[i].Length)
            {
                throw new ArgumentException($"state buffer {i} has {state.Buffers[i].Length} values, expected {buffers[i].Length}", nameof(state));
            }
        }

        for (var i = 0; i < buffers.Count; i++)
        {
            state.Buffers[i].CopyTo(buffers[i], 0);
        }

        StateSteps = state.StepCount;
    }

    /// <summary>Number of parameters the optimizer's state was sized for; null when it keeps none.</summary>
    protected abstract int? StateLength { get; }

    /// <summary>The live state buffers, in a fixed order; empty when the optimizer keeps none.</summary>
    protected abstract IReadOnlyList<float[]> StateBuffers { get; }

    /// <summary>The step count the update depends on (Adam's t); optimizers that count none keep 0.</summary>
    protected virtual long StateSteps
    {
        get => 0;
        set { }
    }

    /// <summary>
    /// The update rule on parameters [offset, offset + parameters.Length), with g_i = gradientSums[i] / sampleCount and
    /// the state of the same elements (the slice already checked; for Adam, t is the step count).
    /// </summary>
    protected abstract void Update(int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums, float sampleCount, float learningRate);

    /// <summary>Applies <paramref name="step"/> to one slice; see <see cref="OptimizerStep.Apply"/>.</summary>
    internal void Apply(in OptimizerStep step, int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums)
    {
        if (step.Number != StateSteps)
        {
            throw new InvalidOperationException($"step {step.Number} is over: step {StateSteps} has begun");
        }

        CheckSlice(offset, parameters.Length, gradientSums.Length);
        Update(offset, parameters, gradientSums, step.SampleCount, step.LearningRate);
    }

    private void CheckSlice(int offset, int parameters, int gradientSums)
    {
        if (gradientSums != parameters)
        {
            throw new ArgumentException($"gradient has {gradientSums} values for {parameters} parameters", nameof(gradientSums));
        }

        if (offset < 0 || (StateLength is { } length && offset > length - parameters))
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), offset, $"parameters [{offset}, {(long)offset + parameters}) are not all among the optimizer's {StateLength} parameters");
        }
    }
}
