namespace Backprop.Core.Data;

/// <summary>
/// A directory in the layout MNIST is distributed in: <c>train-images-idx3-ubyte</c> and
/// <c>train-labels-idx1-ubyte</c>, optionally with the test pair <c>t10k-images-idx3-ubyte</c> and
/// <c>t10k-labels-idx1-ubyte</c>. Each file may also be present gzipped with a <c>.gz</c> suffix;
/// when both forms exist the uncompressed one is used.
/// </summary>
public static class IdxDirectory
{
    /// <summary>File name of the training images.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>File name of the training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>File name of the test images.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>File name of the test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    private const string GzipSuffix = ".gz";

    /// <summary>Reads the training pair and, when present, the test pair (whose labels must be below the training K).</summary>
    /// <exception cref="InvalidInputException">Files are missing or invalid.</exception>
    public static DatasetSplit Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var train = ReadPair(directory, TrainImages, TrainLabels, classCount: null)
            ?? throw NotAnIdxDirectory(directory, Pair(TrainImages, TrainLabels));
        var test = ReadPair(directory, TestImages, TestLabels, train.TargetSize);
        return new DatasetSplit(train, test);
    }

    /// <summary>
    /// Reads a directory given as test data: its test pair when it has one, otherwise its training pair.
    /// Labels must be below <paramref name="classCount"/>, the training data's number of classes.
    /// </summary>
    /// <exception cref="InvalidInputException">Files are missing or invalid, or a label is out of range.</exception>
    public static Dataset ReadAsTest(string directory, int classCount)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return ReadPair(directory, TestImages, TestLabels, classCount)
            ?? ReadPair(directory, TrainImages, TrainLabels, classCount)
            ?? throw NotAnIdxDirectory(directory, $"{Pair(TestImages, TestLabels)} or {Pair(TrainImages, TrainLabels)}");
    }

    private static Dataset? ReadPair(string directory, string imagesName, string labelsName, int? classCount)
    {
        var images = Find(directory, imagesName);
        var labels = Find(directory, labelsName);
        return (images, labels) switch
        {
            (null, null) => null,
            (not null, not null) => IdxDatasetReader.Read(images, labels, classCount),
            (not null, null) => throw new InvalidInputException($"{directory}: {Path.GetFileName(images)} has no labels file {labelsName}[{GzipSuffix}] next to it"),
            (null, not null) => throw new InvalidInputException($"{directory}: {Path.GetFileName(labels)} has no images file {imagesName}[{GzipSuffix}] next to it"),
        };
    }

    private static string? Find(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
        {
            return path;
        }

        return File.Exists(path + GzipSuffix) ? path + GzipSuffix : null;
    }

    private static string Pair(string imagesName, string labelsName) => $"{imagesName}[{GzipSuffix}] + {labelsName}[{GzipSuffix}]";

    private static InvalidInputException NotAnIdxDirectory(string directory, string expected) =>
        new($"{directory}: not an IDX directory: it holds no {expected}");
}
