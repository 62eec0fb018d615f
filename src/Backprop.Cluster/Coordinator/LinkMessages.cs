using Backprop.Cluster.Transfer;

namespace Backprop.Cluster.Coordinator;

/// <summary>
/// A frame arrived over <paramref name="Worker"/>'s tensor link (verified, in a pooled buffer): a block's whole sums, a
/// block's report, or a reduced bucket (<see cref="TensorFrameHeader.Kind"/>).
/// </summary>
internal sealed record LinkSumsArrived(string Worker, TensorFrameHeader Header, float[] Sums);

/// <summary><paramref name="Worker"/>'s tensor link stopped; <paramref name="Reason"/> says why.</summary>
internal sealed record LinkClosed(string Worker, TensorLink Link, string Reason);

/// <summary>The tensor link to <paramref name="Worker"/> is open (<see cref="WorkerLinks.Open"/>), not yet reading or writing.</summary>
internal sealed record LinkConnected(JobWorker Worker, TensorLink Link);

/// <summary>The tensor link to <paramref name="Worker"/> could not be opened; <paramref name="Reason"/> says why.</summary>
internal sealed record LinkNotConnected(JobWorker Worker, string Reason);
