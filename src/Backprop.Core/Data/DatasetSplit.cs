namespace Backprop.Core.Data;

/// <summary>
/// Training data and, when there is one, held-out test data; with the standardization both were transformed with,
/// when the features were standardized.
/// </summary>
public sealed record DatasetSplit(Dataset Train, Dataset? Test, Standardization? Standardization = null);
