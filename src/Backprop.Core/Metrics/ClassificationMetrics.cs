namespace Backprop.Core.Metrics;

/// <summary>How a classifier does on a labelled dataset.</summary>
/// <param name="Samples">Samples evaluated.</param>
/// <param name="Accuracy">Share of samples predicted as their true class.</param>
/// <param name="Classes">Precision, recall and F1 of every class, by class index.</param>
/// <param name="MacroF1">
/// The unweighted mean of the classes' F1, over the classes that occur among the true or the predicted labels (as
/// scikit-learn's <c>f1_score(average="macro")</c>): a class absent from the data and never predicted does not count.
/// </param>
/// <param name="ConfusionMatrix">Row = true class, column = predicted class: <c>ConfusionMatrix[t][p]</c> samples of class t were predicted as p.</param>
public sealed record ClassificationMetrics(int Samples, double Accuracy, IReadOnlyList<ClassMetrics> Classes, double MacroF1, IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix)
{
    /// <summary>The metrics of predictions <paramref name="predicted"/> against the true classes <paramref name="actual"/>.</summary>
    /// <param name="actual">The true class of each sample, in [0, <paramref name="classCount"/>).</param>
    /// <param name="predicted">The predicted class of each sample, in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">Number of classes (the network's outputs).</param>
    /// <remarks>
    /// Precision of a class never predicted is defined as 0 (no true positive among no predictions), recall of a class with
    /// no samples likewise, and F1 is 0 whenever precision and recall both are.
    /// </remarks>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or hold a class out of range.</exception>
    public static ClassificationMetrics Compute(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (actual.Length != predicted.Length)
        {
            throw new ArgumentException($"{actual.Length} true classes but {predicted.Length} predictions", nameof(predicted));
        }

        if (actual.IsEmpty)
        {
            throw new ArgumentException("no samples to evaluate", nameof(actual));
        }

        var confusion = new int[classCount][];
        for (var c = 0; c < classCount; c++)
        {
            confusion[c] = new int[classCount];
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classCount || (uint)predicted[i] >= (uint)classCount)
            {
                throw new ArgumentException($"sample {i}: class {actual[i]} predicted as {predicted[i]}, but there are {classCount} classes (0..{classCount - 1})", nameof(actual));
            }

            confusion[actual[i]][predicted[i]]++;
        }

        var classes = new ClassMetrics[classCount];
        var correct = 0;
        double f1Sum = 0;
        var counted = 0;
        for (var c = 0; c < classCount; c++)
        {
            var truePositives = confusion[c][c];
            var support = confusion[c].Sum();
            var predictedAs = 0;
            for (var t = 0; t < classCount; t++)
            {
                predictedAs += confusion[t][c];
            }

            var precision = predictedAs == 0 ? 0 : (double)truePositives / predictedAs;
            var recall = support == 0 ? 0 : (double)truePositives / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes[c] = new ClassMetrics(c, support, predictedAs, precision, recall, f1);
            correct += truePositives;
            if (support > 0 || predictedAs > 0)
            {
                f1Sum += f1;
                counted++;
            }
        }

        return new ClassificationMetrics(actual.Length, (double)correct / actual.Length, classes, f1Sum / counted, confusion);
    }
}
