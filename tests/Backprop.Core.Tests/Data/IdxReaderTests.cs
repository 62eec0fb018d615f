using Backprop.Core.Data;

namespace Backprop.Core.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_WrittenFile_ReturnsSizesAndPixels(bool gzipped)
    {
        var pixels = IdxBytes.RandomPixels(5 * 3 * 4, seed: 1);
        var bytes = IdxBytes.Images(5, 3, 4, pixels);
        var path = _directory.Write("images", gzipped ? IdxBytes.Gzip(bytes) : bytes);

        var images = IdxReader.ReadImages(path);

        Assert.Equal(5, images.Count);
        Assert.Equal(3, images.Rows);
        Assert.Equal(4, images.Columns);
        Assert.Equal(12, images.PixelsPerImage);
        Assert.Equal(pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_WrittenFile_ReturnsLabels(bool gzipped)
    {
        var bytes = IdxBytes.Labels(7, 0, 255, 3);
        var path = _directory.Write("labels", gzipped ? IdxBytes.Gzip(bytes) : bytes);

        var labels = IdxReader.ReadLabels(path);

        Assert.Equal([7, 0, 255, 3], labels);
    }

    [Fact]
    public void ReadImages_PlainFileNamedGz_ReadsItUncompressed()
    {
        var pixels = IdxBytes.RandomPixels(2 * 2 * 2, seed: 2);
        var path = _directory.Write("images.gz", IdxBytes.Images(2, 2, 2, pixels));

        var images = IdxReader.ReadImages(path);

        Assert.Equal(pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_NonSeekableStreamInSmallChunks_ReadsEveryPixel(bool gzipped)
    {
        // Larger than the reader's first body buffer (1 MiB) so the buffer has to grow.
        var pixels = IdxBytes.RandomPixels(3 * 600 * 700, seed: 3);
        var bytes = IdxBytes.Images(3, 600, 700, pixels);
        using var stream = new NonSeekableStream(gzipped ? IdxBytes.Gzip(bytes) : bytes, maxChunk: 4093);

        var images = IdxReader.ReadImages(stream, "net");

        Assert.Equal(pixels, images.Pixels);
    }

    [Fact]
    public void ReadImages_WrongMagic_ThrowsNamingFileHeaderAndBothMagics()
    {
        var path = _directory.Write("train-images-idx3-ubyte", [.. IdxBytes.Header(0x00000812, 1, 1, 1), 0]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: header: magic number 0x00000812 is not an IDX images file (expected 0x00000803)", error.Message);
    }

    [Fact]
    public void ReadImages_LabelsFile_SaysItIsALabelsFile()
    {
        var path = _directory.Write("labels", IdxBytes.Labels(1, 2));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: header: magic number 0x00000801 is not an IDX images file (expected 0x00000803); it is a labels file", error.Message);
    }

    [Fact]
    public void ReadLabels_ImagesFile_ThrowsExpectingLabelsMagic()
    {
        var path = _directory.Write("images", IdxBytes.Images(1, 1, 1, [9]));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith($"{path}: header: magic number 0x00000803 is not an IDX labels file (expected 0x00000801)", error.Message);
    }

    [Fact]
    public void ReadImages_TruncatedBody_ThrowsWithExpectedAndFoundByteCounts()
    {
        var path = _directory.Write("images", IdxBytes.Images(8000, 28, 28, new byte[1000]));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: body: truncated, expected 6272000 bytes of pixels, found 1000", error.Message);
    }

    [Fact]
    public void ReadLabels_TruncatedBody_ThrowsWithExpectedAndFoundByteCounts()
    {
        var path = _directory.Write("labels", [.. IdxBytes.Header(0x00000801, 10), 1, 2, 3]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadLabels(path));

        Assert.Equal($"{path}: body: truncated, expected 10 bytes of labels, found 3", error.Message);
    }

    [Fact]
    public void ReadImages_TruncatedHeader_ThrowsWithHeaderLength()
    {
        var path = _directory.Write("images", IdxBytes.Header(0x00000803, 4, 2)); // the column count is missing

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: header: truncated, expected 16 bytes, found 12", error.Message);
    }

    [Fact]
    public void ReadImages_EmptyFile_ThrowsEmptyFile()
    {
        var path = _directory.Write("images", []);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: header: empty file", error.Message);
    }

    [Fact]
    public void ReadImages_DataAfterTheLastImage_Throws()
    {
        var path = _directory.Write("images", IdxBytes.Images(1, 2, 2, [1, 2, 3, 4, 5]));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: body: expected 4 bytes of pixels, found more", error.Message);
    }

    [Theory]
    [InlineData(0, 28, 28, "image count 0")]
    [InlineData(-1, 28, 28, "image count 4294967295")]
    [InlineData(1, 0, 28, "row count 0")]
    [InlineData(1, 28, 0, "column count 0")]
    public void ReadImages_UnusableSize_ThrowsNamingTheSize(int count, int rows, int columns, string expected)
    {
        var path = _directory.Write("images", IdxBytes.Header(0x00000803, count, rows, columns));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: header: {expected} is not usable", error.Message);
    }

    [Fact]
    public void ReadImages_SizesBeyondAnyArray_ThrowsTooMany()
    {
        var path = _directory.Write("images", IdxBytes.Header(0x00000803, 1_000_000, 1000, 1000));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: header: 1000000 images of 1000×1000 pixels are too many to load", error.Message);
    }

    [Fact]
    public void ReadImages_CorruptGzipStream_ThrowsOneLineGzipError()
    {
        var compressed = IdxBytes.Gzip(IdxBytes.Images(2, 2, 2, IdxBytes.RandomPixels(8, seed: 4)));
        compressed.AsSpan(10).Fill(0xff); // keep the gzip magic and header, ruin the deflate data
        var path = _directory.Write("images.gz", compressed);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: gzip: corrupt compressed data", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ReadImages_GzipCutShort_ThrowsTruncatedBody()
    {
        var compressed = IdxBytes.Gzip(IdxBytes.Images(20, 28, 28, IdxBytes.RandomPixels(20 * 28 * 28, seed: 5)));
        var path = _directory.Write("images.gz", compressed[..(compressed.Length / 2)]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        // .NET's GZipStream reports a stream cut short as its end, so this surfaces as a short body.
        Assert.StartsWith($"{path}: body: truncated, expected 15680 bytes of pixels, found ", error.Message);
    }

    [Fact]
    public void ReadImages_MissingFile_ThrowsCannotOpen()
    {
        var path = _directory.File("absent");

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: cannot open: ", error.Message);
    }
}
