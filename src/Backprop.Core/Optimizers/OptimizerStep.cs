namespace Backprop.Core.Optimizers;

/// <summary>
/// One step of an <see cref="Optimizer"/>, from <see cref="Optimizer.BeginStep"/>, applied to the parameter vector
/// slice by slice: each element gets the bits that a full <see cref="Optimizer.Step(Span{float}, ReadOnlySpan{float}, int, float)"/>
/// gives it, whatever the slices, since the update is elementwise and its vector body and scalar tail compute alike.
/// </summary>
/// <remarks>
/// Every element must be in exactly one slice before the next step begins. The step count has advanced already, so a
/// state captured while some slices are still to come is not one to continue from.
/// </remarks>
public readonly struct OptimizerStep
{
    private readonly Optimizer? _optimizer;

    internal OptimizerStep(Optimizer optimizer, long number, float sampleCount, float learningRate)
    {
        _optimizer = optimizer;
        Number = number;
        SampleCount = sampleCount;
        LearningRate = learningRate;
    }

    /// <summary>The optimizer's step count with this step (Adam's t); 0 for optimizers that count none.</summary>
    public long Number { get; }

    /// <summary>The samples whose gradients are summed.</summary>
    public float SampleCount { get; }

    /// <summary>The step's learning rate.</summary>
    public float LearningRate { get; }

    /// <summary>
    /// Updates parameters [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="parameters"/>.Length) in
    /// place from their gradient sums, with the same elements of the optimizer's state.
    /// </summary>
    /// <param name="offset">Where the slice starts in the whole parameter vector.</param>
    /// <param name="parameters">The slice of θ.</param>
    /// <param name="gradientSums">The slice's gradient sums, as long as <paramref name="parameters"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the slice lies outside the optimizer's parameters.</exception>
    /// <exception cref="InvalidOperationException">A later step has begun, or this one did not come from <see cref="Optimizer.BeginStep"/>.</exception>
    public void Apply(int offset, Span<float> parameters, ReadOnlySpan<float> gradientSums)
    {
        if (_optimizer is null)
        {
            throw new InvalidOperationException($"a step comes from {nameof(Optimizer)}.{nameof(Optimizer.BeginStep)}");
        }

        _optimizer.Apply(this, offset, parameters, gradientSums);
    }
}
