namespace Backprop.Core.Model;

/// <summary>A network with what it takes to use it (<see cref="ModelMetadata"/>): what a model file holds.</summary>
/// <param name="Network">The architecture and the weights.</param>
/// <param name="Metadata">Names and preprocessing; <see cref="ModelMetadata.None"/> for a bare network.</param>
public sealed record TrainedModel(Network Network, ModelMetadata Metadata);
