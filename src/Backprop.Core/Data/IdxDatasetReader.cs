namespace Backprop.Core.Data;

/// <summary>
/// Makes a classification <see cref="Dataset"/> from an IDX images file and its labels file:
/// pixels scaled to [0, 1] (byte / 255), rows × columns features per image, one-hot targets.
/// </summary>
public static class IdxDatasetReader
{
    /// <summary>Reads the images and labels files at the given paths.</summary>
    /// <param name="imagesPath">The IDX images file, plain or gzipped.</param>
    /// <param name="labelsPath">The IDX labels file, plain or gzipped.</param>
    /// <param name="classCount">
    /// The number of classes K when the training data fixes it (test data); null to use the largest label + 1.
    /// </param>
    /// <exception cref="InvalidInputException">A file is missing or invalid, or the two files do not match.</exception>
    public static Dataset Read(string imagesPath, string labelsPath, int? classCount = null)
    {
        using var images = InputFile.OpenRead(imagesPath);
        using var labels = InputFile.OpenRead(labelsPath);
        return Read(images, imagesPath, labels, labelsPath, imagesPath, classCount);
    }

    /// <summary>Reads images and labels from streams; the sources name them in messages.</summary>
    /// <param name="images">The IDX images data, plain or gzipped.</param>
    /// <param name="imagesSource">Names the images data in messages.</param>
    /// <param name="labels">The IDX labels data, plain or gzipped.</param>
    /// <param name="labelsSource">Names the labels data in messages.</param>
    /// <param name="name">The <see cref="Dataset.Name"/> of the result.</param>
    /// <param name="classCount">
    /// The number of classes K when the training data fixes it (test data); null to use the largest label + 1.
    /// </param>
    /// <exception cref="InvalidInputException">The data is invalid or the two parts do not match.</exception>
    public static Dataset Read(Stream images, string imagesSource, Stream labels, string labelsSource, string name, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (classCount is { } fixedCount)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fixedCount, nameof(classCount));
        }

        var pixels = IdxReader.ReadImages(images, imagesSource);
        var labelBytes = IdxReader.ReadLabels(labels, labelsSource);
        if (labelBytes.Length != pixels.Count)
        {
            throw new InvalidInputException(labelsSource, "header", $"{labelBytes.Length} labels, but {imagesSource} holds {pixels.Count} images");
        }

        var classes = classCount ?? (labelBytes.Max() + 1);
        var classLabels = new int[labelBytes.Length];
        for (var i = 0; i < labelBytes.Length; i++)
        {
            if (labelBytes[i] >= classes)
            {
                throw new InvalidInputException(labelsSource, $"sample index {i}", $"label {labelBytes[i]} is outside the training classes 0..{classes - 1}");
            }

            classLabels[i] = labelBytes[i];
        }

        var features = new float[pixels.Pixels.Length];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = pixels.Pixels[i] / 255f;
        }

        return new Dataset(name, pixels.PixelsPerImage, classes, features, OneHotEncoder.Encode(classLabels, classes), classLabels);
    }
}
