using Backprop.Core.Data.Tables;

namespace Backprop.Core.Data;

/// <summary>
/// Resolves the <c>--data</c> and <c>--test-data</c> options into a <see cref="DatasetSplit"/>.
/// </summary>
/// <remarks>
/// <para><c>--data</c> is, checked in this order, a built-in name (<see cref="BuiltInDatasets.Names"/>;
/// write <c>./mnist</c> to mean a path of that name), a table file (Parquet when it starts with Parquet's magic
/// bytes, CSV otherwise, read as <see cref="TableOptions"/> say) or an IDX directory (<see cref="IdxDirectory"/>).</para>
/// <para><c>--test-data</c>, when given, replaces the test split of a built-in dataset or IDX directory. It is
/// a table file, read with the same options and, for class labels, the training data's classes; or an IDX
/// directory, whose test pair is used when it has one and its training pair otherwise. Its input and target sizes
/// (and its feature names, when both tables have them) must match the training data's.</para>
/// <para>With a <c>validationSplit</c> F, a seeded, stratified fraction F of the training samples is held out
/// (<see cref="ValidationSplit"/>) and becomes the split's test data, for data that has none of its own.</para>
/// <para>With <c>standardize</c>, the standardization is fitted on the training samples only (after the hold-out) and
/// applied to both.</para>
/// </remarks>
public static class DatasetLoader
{
    /// <summary>Loads the training data and, when there is one, the test data.</summary>
    /// <param name="data">Built-in name, table file or IDX directory.</param>
    /// <param name="testData">Table file or IDX directory; null keeps the test split of <paramref name="data"/>, if any.</param>
    /// <param name="table">Tables only: header, label or target columns.</param>
    /// <param name="standardize">Standardize the features (<see cref="Standardization"/>), fitted on the training samples.</param>
    /// <param name="seed">Seed of generated data (the spirals) and of the validation hold-out.</param>
    /// <param name="validationSplit">Fraction of the training samples held out as the test data; null for none.</param>
    /// <exception cref="InvalidInputException">A path does not resolve, an option does not apply, or the data is invalid.</exception>
    public static DatasetSplit Load(string data, string? testData, TableOptions table, bool standardize, int seed, double? validationSplit = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (string.IsNullOrWhiteSpace(data))
        {
            throw new InvalidInputException("--data: no dataset given");
        }

        var split = LoadTraining(data, table, seed);
        if (testData is not null)
        {
            split = split with { Test = LoadTest(testData, data, split.Train, table) };
        }

        if (validationSplit is { } fraction)
        {
            if (split.Test is not null)
            {
                throw new InvalidInputException($"--validation-split: '{testData ?? data}' has test data already, on which the trainer reports; hold out a part only of data without it");
            }

            var (train, validation) = ValidationSplit.Split(split.Train, fraction, seed);
            split = split with { Train = train, Test = validation };
        }

        if (!standardize)
        {
            return split;
        }

        var standardization = Standardization.Fit(split.Train);
        standardization.Apply(split.Train.Features);
        if (split.Test is { } test)
        {
            standardization.Apply(test.Features);
        }

        return split with { Standardization = standardization };
    }

    /// <summary>Reads the table file at <paramref name="path"/>: Parquet when it starts like one, CSV otherwise.</summary>
    /// <exception cref="InvalidInputException">The file is missing or not valid data.</exception>
    public static Dataset ReadTable(string path, TableOptions table, ClassSet? classes) =>
        ParquetDatasetReader.IsParquet(path) ? ParquetDatasetReader.Read(path, table, classes) : CsvDatasetReader.Read(path, table, classes);

    /// <summary>
    /// Reads the table file at <paramref name="path"/> as rows of a model's inputs (values row-major, and inputs per row): the columns named
    /// <paramref name="featureNames"/> when the file has a header and the model names its features, else every
    /// column (<paramref name="inputSize"/> of them, when given).
    /// </summary>
    /// <exception cref="InvalidInputException">The file is missing, a feature is missing or not a number.</exception>
    public static (float[] Values, int Columns) ReadInputs(string path, bool? header, IReadOnlyList<string>? featureNames, int? inputSize) =>
        ParquetDatasetReader.IsParquet(path)
            ? ParquetDatasetReader.ReadInputs(path, featureNames, inputSize)
            : CsvDatasetReader.ReadInputs(path, header, featureNames, inputSize);

    private static DatasetSplit LoadTraining(string data, TableOptions table, int seed)
    {
        if (BuiltInDatasets.IsBuiltIn(data))
        {
            RequireNoTableOptions(table, $"'{data}' is a built-in dataset");
            return BuiltInDatasets.Load(data, seed);
        }

        if (Directory.Exists(data))
        {
            RequireNoTableOptions(table, $"'{data}' is an IDX directory");
            return IdxDirectory.Read(data);
        }

        if (File.Exists(data))
        {
            return new DatasetSplit(ReadTable(data, table, classes: null), Test: null);
        }

        throw new InvalidInputException(
            $"--data: '{data}' is neither a built-in dataset ({string.Join(", ", BuiltInDatasets.Names)}), a file nor a directory");
    }

    private static Dataset LoadTest(string testData, string data, Dataset train, TableOptions table)
    {
        // Classification test data must use the training data's classes, whatever labels the test file happens to contain.
        var classes = ClassSet.Of(train);
        Dataset test;
        if (Directory.Exists(testData))
        {
            if (classes is null || classes.Names is not null)
            {
                throw new InvalidInputException($"--test-data: '{testData}' is an IDX directory of numbered classes, but the training data has {(classes is null ? "real-valued targets" : "named classes")}");
            }

            test = IdxDirectory.ReadAsTest(testData, classes.Count);
        }
        else if (File.Exists(testData))
        {
            test = ReadTable(testData, table, classes);
        }
        else
        {
            throw new InvalidInputException($"--test-data: '{testData}' is neither a file nor a directory");
        }

        if (test.InputSize != train.InputSize || test.TargetSize != train.TargetSize)
        {
            throw new InvalidInputException(
                $"--test-data: '{testData}' has {Sizes(test)}, but the training data '{data}' has {Sizes(train)}");
        }

        if (test.FeatureNames is { } testNames && train.FeatureNames is { } trainNames && !testNames.SequenceEqual(trainNames))
        {
            throw new InvalidInputException(
                $"--test-data: '{testData}' has the features {string.Join(", ", testNames)}, but the training data '{data}' has {string.Join(", ", trainNames)}");
        }

        return test;
    }

    private static string Sizes(Dataset dataset) =>
        $"{dataset.InputSize} input{(dataset.InputSize == 1 ? "" : "s")} and {dataset.TargetSize} target{(dataset.TargetSize == 1 ? "" : "s")}";

    private static void RequireNoTableOptions(TableOptions table, string why)
    {
        if (table.HasTargets)
        {
            throw new InvalidInputException($"--targets: applies only to a table file (CSV or Parquet), but {why}");
        }

        if (table.LabelColumn is not null)
        {
            throw new InvalidInputException($"--label-column: applies only to a table file (CSV or Parquet), but {why}");
        }
    }
}
