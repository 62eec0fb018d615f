using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class IdxDirectoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Read_TrainPairOnly_ReturnsTrainingDataAndNoTest()
    {
        WritePair("train", gzipped: false, count: 4, labels: [0, 1, 2, 1]);

        var split = IdxDirectory.Read(_directory.Path);

        Assert.Equal(4, split.Train.Count);
        Assert.Equal(3, split.Train.TargetSize);
        Assert.Null(split.Test);
    }

    [Fact]
    public void Read_GzippedTrainAndPlainTest_ReadsBothWithTrainingClassCount()
    {
        WritePair("train", gzipped: true, count: 3, labels: [0, 4, 2]);
        WritePair("t10k", gzipped: false, count: 2, labels: [1, 0]);

        var split = IdxDirectory.Read(_directory.Path);

        Assert.Equal(3, split.Train.Count);
        Assert.NotNull(split.Test);
        Assert.Equal(2, split.Test.Count);
        Assert.Equal(5, split.Test.TargetSize);
        Assert.Equal(new[] { 1, 0 }, split.Test.Labels);
    }

    [Fact]
    public void Read_TestLabelOutsideTrainingClasses_ThrowsNamingTestFileAndSampleIndex()
    {
        WritePair("train", gzipped: false, count: 2, labels: [0, 1]);
        WritePair("t10k", gzipped: true, count: 3, labels: [1, 0, 2]);

        var error = Assert.Throws<InvalidInputException>(() => IdxDirectory.Read(_directory.Path));

        Assert.Equal($"{_directory.File("t10k-labels-idx1-ubyte.gz")}: sample index 2: label 2 is outside the training classes 0..1", error.Message);
    }

    [Fact]
    public void Read_PlainAndGzippedBothPresent_PrefersPlain()
    {
        WritePair("train", gzipped: false, count: 2, labels: [0, 1]);
        _directory.Write("train-labels-idx1-ubyte.gz", [0x1f, 0x8b, 0, 0]); // corrupt: reading it would fail

        var split = IdxDirectory.Read(_directory.Path);

        Assert.Equal(new[] { 0, 1 }, split.Train.Labels);
    }

    [Fact]
    public void Read_EmptyDirectory_ThrowsNotAnIdxDirectory()
    {
        var error = Assert.Throws<InvalidInputException>(() => IdxDirectory.Read(_directory.Path));

        Assert.Equal($"{_directory.Path}: not an IDX directory: it holds no train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]", error.Message);
    }

    [Fact]
    public void Read_TestImagesWithoutLabels_ThrowsNamingTheMissingFile()
    {
        WritePair("train", gzipped: false, count: 2, labels: [0, 1]);
        _directory.Write("t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(1, 1, 1, [0])));

        var error = Assert.Throws<InvalidInputException>(() => IdxDirectory.Read(_directory.Path));

        Assert.Equal($"{_directory.Path}: t10k-images-idx3-ubyte.gz has no labels file t10k-labels-idx1-ubyte[.gz] next to it", error.Message);
    }

    [Fact]
    public void ReadAsTest_NoTestPair_ReadsTrainPairWithGivenClassCount()
    {
        WritePair("train", gzipped: false, count: 2, labels: [1, 0]);

        var test = IdxDirectory.ReadAsTest(_directory.Path, classCount: 10);

        Assert.Equal(2, test.Count);
        Assert.Equal(10, test.TargetSize);
    }

    [Fact]
    public void ReadAsTest_BothPairs_PrefersTestPair()
    {
        WritePair("train", gzipped: false, count: 2, labels: [1, 0]);
        WritePair("t10k", gzipped: false, count: 3, labels: [2, 2, 2]);

        var test = IdxDirectory.ReadAsTest(_directory.Path, classCount: 3);

        Assert.Equal(new[] { 2, 2, 2 }, test.Labels);
    }

    private void WritePair(string prefix, bool gzipped, int count, byte[] labels)
    {
        var images = IdxBytes.Images(count, 2, 3, IdxBytes.RandomPixels(count * 6, seed: count));
        var labelBytes = IdxBytes.Labels(labels);
        var suffix = gzipped ? ".gz" : string.Empty;
        _directory.Write($"{prefix}-images-idx3-ubyte{suffix}", gzipped ? IdxBytes.Gzip(images) : images);
        _directory.Write($"{prefix}-labels-idx1-ubyte{suffix}", gzipped ? IdxBytes.Gzip(labelBytes) : labelBytes);
    }
}
