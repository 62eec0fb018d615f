namespace Backprop.Core.Data;

/// <summary>
/// Resolves the <c>--data</c> and <c>--test-data</c> options into a <see cref="DatasetSplit"/>.
/// </summary>
/// <remarks>
/// <para><c>--data</c> is, checked in this order, a built-in name (<see cref="BuiltInDatasets.Names"/>;
/// write <c>./mnist</c> to mean a path of that name), a CSV file (any file that is not a directory) or an
/// IDX directory (<see cref="IdxDirectory"/>).</para>
/// <para><c>--test-data</c>, when given, replaces the test split of a built-in dataset or IDX directory. It is
/// a CSV file, read with the same target columns and, for class labels, the training data's number of
/// classes; or an IDX directory, whose test pair is used when it has one and its training pair otherwise.
/// Its input and target sizes must match the training data's.</para>
/// </remarks>
public static class DatasetLoader
{
    /// <summary>Loads the training data and, when there is one, the test data.</summary>
    /// <param name="data">Built-in name, CSV file or IDX directory.</param>
    /// <param name="testData">CSV file or IDX directory; null keeps the test split of <paramref name="data"/>, if any.</param>
    /// <param name="targetColumns">CSV only: number of trailing real-valued target columns; null for a trailing class label.</param>
    /// <param name="seed">Seed of generated data (the spirals).</param>
    /// <exception cref="InvalidInputException">A path does not resolve, an option does not apply, or the data is invalid.</exception>
    public static DatasetSplit Load(string data, string? testData, int? targetColumns, int seed)
    {
        if (string.IsNullOrWhiteSpace(data))
        {
            throw new InvalidInputException("--data: no dataset given");
        }

        if (targetColumns is < 1)
        {
            throw new InvalidInputException($"--targets: {targetColumns} is not a number of target columns (must be at least 1)");
        }

        var split = LoadTraining(data, targetColumns, seed);
        if (testData is null)
        {
            return split;
        }

        var test = LoadTest(testData, split.Train, targetColumns);
        if (test.InputSize != split.Train.InputSize || test.TargetSize != split.Train.TargetSize)
        {
            throw new InvalidInputException(
                $"--test-data: '{testData}' has {Sizes(test)}, but the training data '{data}' has {Sizes(split.Train)}");
        }

        return split with { Test = test };
    }

    private static DatasetSplit LoadTraining(string data, int? targetColumns, int seed)
    {
        if (BuiltInDatasets.IsBuiltIn(data))
        {
            RequireNoTargetColumns(targetColumns, $"'{data}' is a built-in dataset");
            return BuiltInDatasets.Load(data, seed);
        }

        if (Directory.Exists(data))
        {
            RequireNoTargetColumns(targetColumns, $"'{data}' is an IDX directory");
            return IdxDirectory.Read(data);
        }

        if (File.Exists(data))
        {
            return new DatasetSplit(CsvDatasetReader.Read(data, targetColumns), Test: null);
        }

        throw new InvalidInputException(
            $"--data: '{data}' is neither a built-in dataset ({string.Join(", ", BuiltInDatasets.Names)}), a file nor a directory");
    }

    private static Dataset LoadTest(string testData, Dataset train, int? targetColumns)
    {
        // Classification test data must use the training data's classes, so its K is the training K,
        // whatever labels the test file happens to contain.
        int? classCount = train.Labels is null ? null : train.TargetSize;
        if (Directory.Exists(testData))
        {
            if (classCount is null)
            {
                throw new InvalidInputException($"--test-data: '{testData}' is an IDX directory of classes, but the training data has real-valued targets");
            }

            return IdxDirectory.ReadAsTest(testData, classCount.Value);
        }

        if (File.Exists(testData))
        {
            return CsvDatasetReader.Read(testData, targetColumns, classCount);
        }

        throw new InvalidInputException($"--test-data: '{testData}' is neither a file nor a directory");
    }

    private static string Sizes(Dataset dataset) =>
        $"{dataset.InputSize} input{(dataset.InputSize == 1 ? "" : "s")} and {dataset.TargetSize} target{(dataset.TargetSize == 1 ? "" : "s")}";

    private static void RequireNoTargetColumns(int? targetColumns, string why)
    {
        if (targetColumns is not null)
        {
            throw new InvalidInputException($"--targets: applies only to CSV data, but {why}");
        }
    }
}
