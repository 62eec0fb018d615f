using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Worker;

/// <summary>A coordinator opened a direct tensor link for <paramref name="JobId"/>.</summary>
internal sealed record TensorLinkOpened(string JobId, TensorLink Link);

/// <summary>θ of step <paramref name="Version"/> arrived over a job's tensor link.</summary>
internal sealed record WeightsArrived(string JobId, long Version, float[] Parameters);

/// <summary>A job's tensor link stopped; <paramref name="Reason"/> says why.</summary>
internal sealed record TensorLinkClosed(string JobId, TensorLink Link, string Reason);
