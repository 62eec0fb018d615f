using Backprop.Core.Data;
using Backprop.Core.Data.Tables;

namespace Backprop.Core.Tests.Data;

public sealed class DatasetLoaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Load_BuiltInName_ReturnsBuiltInSplit()
    {
        var split = DatasetLoader.Load("spirals", testData: null, TableOptions.Default, standardize: false, seed: 4);

        Assert.Equal(SpiralDataset.Load(seed: 4).Train.Features, split.Train.Features);
        Assert.NotNull(split.Test);
    }

    [Fact]
    public void Load_CsvFile_ReturnsTrainingDataWithoutTest()
    {
        var path = _directory.Write("train.csv", "a,b,label\n1,2,0\n3,4,2\n");

        var split = DatasetLoader.Load(path, testData: null, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal(2, split.Train.Count);
        Assert.Equal(3, split.Train.TargetSize);
        Assert.Null(split.Test);
    }

    [Fact]
    public void Load_AnyFileNameNotOnlyCsv_IsReadAsCsv()
    {
        var path = _directory.Write("data.txt", "1,2,1\n");

        var split = DatasetLoader.Load(path, testData: null, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal([1f, 2f], split.Train.Features);
    }

    [Fact]
    public void Load_CsvWithTargetColumns_ReadsRealTargets()
    {
        var path = _directory.Write("train.csv", "1,2,3,4\n");

        var split = DatasetLoader.Load(path, testData: null, new TableOptions { TargetCount = 2 }, standardize: false, seed: 0);

        Assert.Equal(2, split.Train.InputSize);
        Assert.Equal([3f, 4f], split.Train.Targets);
        Assert.Null(split.Train.Labels);
    }

    [Fact]
    public void Load_IdxDirectory_ReadsTrainAndTestPairs()
    {
        WriteIdxPair("train", [0, 1, 2]);
        WriteIdxPair("t10k", [2, 0]);

        var split = DatasetLoader.Load(_directory.Path, testData: null, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal(3, split.Train.Count);
        Assert.Equal(2, split.Test!.Count);
        Assert.Equal(4, split.Train.InputSize);
    }

    [Fact]
    public void Load_MissingPath_ThrowsNamingOptionAndChoices()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("foo.csv", testData: null, TableOptions.Default, standardize: false, seed: 0));

        Assert.Equal("--data: 'foo.csv' is neither a built-in dataset (mnist, xor, spirals), a file nor a directory", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Load_NoData_Throws(string data)
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(data, testData: null, TableOptions.Default, standardize: false, seed: 0));

        Assert.Equal("--data: no dataset given", error.Message);
    }

    [Fact]
    public void Load_CsvTestData_ReplacesBuiltInTestSplit()
    {
        var test = _directory.Write("test.csv", "x,y,c\n0,0,0\n1,1,0\n0,1,1\n");

        var split = DatasetLoader.Load("xor", test, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal(3, split.Test!.Count);
        Assert.Equal(test, split.Test.Name);
    }

    [Fact]
    public void Load_TestCsvWithFewerClasses_UsesTrainingClassCount()
    {
        var train = _directory.Write("train.csv", "1,0\n2,1\n3,2\n");
        var test = _directory.Write("test.csv", "1,0\n2,1\n");

        var split = DatasetLoader.Load(train, test, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal(3, split.Test!.TargetSize);
        Assert.Equal([1f, 0, 0, 0, 1, 0], split.Test.Targets);
    }

    [Fact]
    public void Load_TestCsvLabelBeyondTrainingClasses_ThrowsNamingTestFile()
    {
        var train = _directory.Write("train.csv", "1,0\n2,1\n");
        var test = _directory.Write("test.csv", "1,0\n2,2\n");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(train, test, TableOptions.Default, standardize: false, seed: 0));

        Assert.Equal($"{test}: line 2, column 2: label 2 is outside the classes 0..1", error.Message);
    }

    [Fact]
    public void Load_TestDataWithOtherInputSize_ThrowsNamingBothSizes()
    {
        var test = _directory.Write("test.csv", "1,2,3,0\n");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("xor", test, TableOptions.Default, standardize: false, seed: 0));

        Assert.Equal($"--test-data: '{test}' has 3 inputs and 2 targets, but the training data 'xor' has 2 inputs and 2 targets", error.Message);
    }

    [Fact]
    public void Load_RealValuedTestDataWithOtherInputSize_ThrowsNamingBothSizes()
    {
        var train = _directory.Write("train.csv", "1,2,3\n");
        var test = _directory.Write("test.csv", "1,2,3,4\n");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(train, test, new TableOptions { TargetCount = 1 }, standardize: false, seed: 0));

        Assert.Equal($"--test-data: '{test}' has 3 inputs and 1 target, but the training data '{train}' has 2 inputs and 1 target", error.Message);
    }

    [Fact]
    public void Load_IdxTestDirectoryForCsvTraining_UsesTrainingClassCount()
    {
        WriteIdxPair("train", [1, 0]);
        var train = _directory.Write("train.csv", "1,2,3,4,0\n1,2,3,4,4\n");

        var split = DatasetLoader.Load(train, _directory.Path, TableOptions.Default, standardize: false, seed: 0);

        Assert.Equal(5, split.Test!.TargetSize);
        Assert.Equal(new[] { 1, 0 }, split.Test.Labels);
    }

    [Fact]
    public void Load_IdxTestDirectoryForRealValuedTargets_Throws()
    {
        WriteIdxPair("train", [1, 0]);
        var train = _directory.Write("train.csv", "1,2,3,4,0.5\n");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(train, _directory.Path, new TableOptions { TargetCount = 1 }, standardize: false, seed: 0));

        Assert.StartsWith($"--test-data: '{_directory.Path}' is an IDX directory of numbered classes", error.Message);
    }

    [Fact]
    public void Load_MissingTestPath_ThrowsNamingOption()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("xor", "nothing-here.csv", TableOptions.Default, standardize: false, seed: 0));

        Assert.Equal("--test-data: 'nothing-here.csv' is neither a file nor a directory", error.Message);
    }

    [Fact]
    public void Load_TargetColumnsWithBuiltIn_Throws()
    {
        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load("xor", testData: null, new TableOptions { TargetCount = 1 }, standardize: false, seed: 0));

        Assert.Equal("--targets: applies only to a table file (CSV or Parquet), but 'xor' is a built-in dataset", error.Message);
    }

    [Fact]
    public void Load_TargetColumnsWithIdxDirectory_Throws()
    {
        WriteIdxPair("train", [1, 0]);

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.Load(_directory.Path, testData: null, new TableOptions { TargetCount = 1 }, standardize: false, seed: 0));

        Assert.Equal($"--targets: applies only to a table file (CSV or Parquet), but '{_directory.Path}' is an IDX directory", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Load_TargetColumnsBelowOne_Throws(int targetColumns)
    {
        var error = Assert.Throws<InvalidInputException>(() => TableOptions.Default.WithTargets(targetColumns.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal($"--targets: {targetColumns} is not a number of target columns (must be at least 1)", error.Message);
    }

    [Fact]
    public void Load_Standardize_FitsOnTrainingDataOnlyAndAppliesToTest()
    {
        var train = _directory.Write("train.csv", "a,b,label\n0,5,x\n2,5,y\n");
        var test = _directory.Write("test.csv", "a,b,label\n4,6,y\n");

        var split = DatasetLoader.Load(train, test, TableOptions.Default, standardize: true, seed: 0);

        Assert.Equal([1f, 5f], split.Standardization!.Mean);
        Assert.Equal([1f, 1f], split.Standardization.Scale);
        Assert.Equal([-1f, 0f, 1f, 0f], split.Train.Features);
        Assert.Equal([3f, 1f], split.Test!.Features);
    }

    private void WriteIdxPair(string prefix, byte[] labels)
    {
        _directory.Write($"{prefix}-images-idx3-ubyte", IdxBytes.Images(labels.Length, 2, 2, IdxBytes.RandomPixels(labels.Length * 4, seed: 1)));
        _directory.Write($"{prefix}-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(labels)));
    }
}
