using Backprop.Core.Model;

namespace Backprop.Server.Jobs;

/// <summary>One layer of a <see cref="JobArchitecture"/>.</summary>
/// <param name="Outputs">Neurons of the layer; 0 only on the last layer, where it takes the dataset's target size.</param>
/// <param name="Activation">The layer's nonlinearity (softmax only on the last layer).</param>
public sealed record JobLayer(int Outputs, Activation Activation);
