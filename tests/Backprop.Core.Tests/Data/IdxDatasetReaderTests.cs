using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class IdxDatasetReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Read_ImagesAndLabels_ScalesPixelsAndOneHotsLabels()
    {
        var pixels = IdxBytes.RandomPixels(3 * 2 * 2, seed: 11);
        pixels[0] = 0;
        pixels[1] = 255;
        var images = _directory.Write("images", IdxBytes.Images(3, 2, 2, pixels));
        var labels = _directory.Write("labels.gz", IdxBytes.Gzip(IdxBytes.Labels(3, 0, 1)));

        var dataset = IdxDatasetReader.Read(images, labels);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(4, dataset.InputSize);
        Assert.Equal(4, dataset.TargetSize); // K = largest label + 1
        Assert.Equal(0f, dataset.Features[0]);
        Assert.Equal(1f, dataset.Features[1]);
        for (var i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i] / 255f, dataset.Features[i]);
        }

        Assert.Equal(new[] { 3, 0, 1 }, dataset.Labels);
        Assert.Equal([0f, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0], dataset.Targets);
    }

    [Fact]
    public void Read_ClassCountGiven_UsesItForTargetWidth()
    {
        var images = _directory.Write("images", IdxBytes.Images(2, 1, 1, [5, 6]));
        var labels = _directory.Write("labels", IdxBytes.Labels(1, 0));

        var dataset = IdxDatasetReader.Read(images, labels, classCount: 10);

        Assert.Equal(10, dataset.TargetSize);
        Assert.Equal(1f, dataset.TargetsOf(0)[1]);
        Assert.Equal(1f, dataset.TargetsOf(1)[0]);
    }

    [Fact]
    public void Read_CountMismatch_ThrowsNamingLabelsFileAndBothCounts()
    {
        var images = _directory.Write("images", IdxBytes.Images(3, 1, 1, [1, 2, 3]));
        var labels = _directory.Write("labels", IdxBytes.Labels(0, 1));

        var error = Assert.Throws<InvalidInputException>(() => IdxDatasetReader.Read(images, labels));

        Assert.Equal($"{labels}: header: 2 labels, but {images} holds 3 images", error.Message);
    }

    [Fact]
    public void Read_LabelNotBelowClassCount_ThrowsNamingFileAndSampleIndex()
    {
        var images = _directory.Write("images", IdxBytes.Images(3, 1, 1, [1, 2, 3]));
        var labels = _directory.Write("labels", IdxBytes.Labels(0, 1, 4));

        var error = Assert.Throws<InvalidInputException>(() => IdxDatasetReader.Read(images, labels, classCount: 4));

        Assert.Equal($"{labels}: sample index 2: label 4 is outside the training classes 0..3", error.Message);
    }
}
