namespace Backprop.Cluster.Transfer;

/// <summary>What a <see cref="TensorFrame"/>'s values are.</summary>
public enum TensorFrameKind
{
    /// <summary>Coordinator → worker: θ of the step, whole. Worker → coordinator: one block's whole sums (no reduction).</summary>
    Whole = 0,

    /// <summary>Worker → coordinator: a block is computed; its sums went to the slice owners (no values).</summary>
    BlockReport = 1,

    /// <summary>Worker → slice owner: one bucket of a block's sums (reduce-scatter).</summary>
    ScatterSums = 2,

    /// <summary>Slice owner → coordinator: one bucket of the step's sums over every leaf.</summary>
    ReducedSums = 3,

    /// <summary>Coordinator → slice owner, and owner → the other owners: one bucket of θ of the step (all-gather).</summary>
    GatherWeights = 4,
}
