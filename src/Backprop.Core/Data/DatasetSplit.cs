namespace Backprop.Core.Data;

/// <summary>Training data and, when there is one, held-out test data.</summary>
public sealed record DatasetSplit(Dataset Train, Dataset? Test);
