using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Training;

/// <summary>
/// Forward and backward passes over a batch (rows = samples) for one network architecture.
/// Keeps Z, A and the per-sample delta rows Δ of every layer of the last pass, and returns the
/// SUMMED weight and bias gradients and the summed loss: exactly what a worker sends back.
/// Owns its buffers, so a pass allocates nothing; not thread-safe (one per thread).
/// </summary>
public sealed class Backpropagator
{
    /// <summary>Buffers for batches of up to <paramref name="maxRows"/> samples.</summary>
    public Backpropagator(NetworkSpec spec, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        Spec = spec;
        MaxRows = maxRows;
        throw new NotImplementedException();
    }

    /// <summary>The architecture this instance computes.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Largest batch a pass accepts.</summary>
    public int MaxRows { get; }

    /// <summary>Runs the forward pass and returns the output activations, row-major [rows × outputs].</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows)
        => throw new NotImplementedException();

    /// <summary>
    /// Forward and backward over <paramref name="rows"/> samples; overwrites <paramref name="gradientSums"/>
    /// (parameter layout) with Σ over samples of ∂L/∂θ and returns Σ over samples of L.
    /// </summary>
    public double ComputeGradientSums(ReadOnlySpan<float> parameters, LossKind loss, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int rows, Span<float> gradientSums)
        => throw new NotImplementedException();

    /// <summary>Δ of layer <paramref name="layer"/> from the last backward pass, [rows × outputs of that layer].</summary>
    public ReadOnlySpan<float> Deltas(int layer, int rows) => throw new NotImplementedException();

    /// <summary>A = σ(Z) of layer <paramref name="layer"/> from the last forward pass, [rows × outputs].</summary>
    public ReadOnlySpan<float> Activations(int layer, int rows) => throw new NotImplementedException();
}
