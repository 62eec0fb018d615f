namespace Backprop.Core.Data;

/// <summary>
/// The built-in MNIST subset: 8,000 training and 2,000 test digits of 28×28 pixels in [0, 1], ten classes.
/// The gzipped IDX files are embedded in this assembly (see <c>Data/BuiltIn/Mnist/README.md</c> for their
/// origin and licence) and decoded on each <see cref="Load"/>; nothing is cached, because a
/// <see cref="Dataset"/>'s arrays are writable and callers own them.
/// </summary>
public static class MnistDataset
{
    /// <summary>Training digits.</summary>
    public const int TrainSamples = 8_000;

    /// <summary>Test digits.</summary>
    public const int TestSamples = 2_000;

    // Matches the LogicalName given to the embedded files in Backprop.Core.csproj.
    private const string ResourcePrefix = "Backprop.Core.Data.BuiltIn.Mnist.";

    /// <summary>Decodes the embedded files.</summary>
    public static DatasetSplit Load()
    {
        var train = Read(IdxDirectory.TrainImages, IdxDirectory.TrainLabels, "mnist:train", classCount: null);
        var test = Read(IdxDirectory.TestImages, IdxDirectory.TestLabels, "mnist:test", train.TargetSize);
        return new DatasetSplit(train, test);
    }

    private static Dataset Read(string imagesName, string labelsName, string name, int? classCount)
    {
        using var images = OpenResource(imagesName + ".gz");
        using var labels = OpenResource(labelsName + ".gz");
        return IdxDatasetReader.Read(images, $"mnist:{imagesName}.gz", labels, $"mnist:{labelsName}.gz", name, classCount);
    }

    private static Stream OpenResource(string fileName) =>
        typeof(MnistDataset).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
        ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix + fileName} is missing from {typeof(MnistDataset).Assembly.GetName().Name}");
}
