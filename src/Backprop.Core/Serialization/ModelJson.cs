using Backprop.Core.Model;

namespace Backprop.Core.Serialization;

/// <summary>
/// The portable model file that users' tools read and write (docs/model-format.md):
/// <code>
/// {"format":"backprop.model.v2",
///  "features":[I names], "labels":[O names],                      (optional)
///  "standardization":{"mean":[I numbers],"scale":[I numbers]},    (optional)
///  "layers":[{"inputs":I,"outputs":O,"activation":"sigmoid",
///             "weights":[[I numbers] × O rows],"biases":[O numbers]}, ...]}
/// </code>
/// </summary>
/// <remarks>
/// <c>weights[j][i]</c> connects input i to neuron j: row j of the layer's row-major W in the flat
/// parameter buffer (<see cref="NetworkSpec"/>). Activations are written by their
/// <see cref="ActivationNames"/>. Numbers are float32 in shortest round-trip form, so export then
/// import gives back the same bits. Keys other than those above are ignored on read.
/// A model without metadata is written as <c>backprop.model.v1</c>, the format before the optional keys, byte for
/// byte as before; one with metadata as v2, so that a reader that knows only v1 refuses it rather than predicting
/// from unstandardized inputs. Both are read.
/// </remarks>
public static class ModelJson
{
    /// <summary>The value of the <c>format</c> key of a model without metadata.</summary>
    public const string FormatName = "backprop.model.v1";

    /// <summary>The value of the <c>format</c> key of a model with feature names, label names or a standardization.</summary>
    public const string FormatNameV2 = "backprop.model.v2";

    /// <summary>Writes <paramref name="model"/> to <paramref name="destination"/> as UTF-8 JSON (the stream is left open).</summary>
    /// <exception cref="ArgumentException">A parameter is NaN or infinite (JSON has no such numbers), or the metadata does not fit the network; nothing is written.</exception>
    public static void Write(TrainedModel model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        ModelJsonWriter.EnsureWritable(model);
        ModelJsonWriter.Write(model, destination);
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: into a temporary file in the
    /// same directory, flushed to disk, then renamed over <paramref name="path"/>, so readers see the old
    /// file or the whole new one, never a partial one.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is NaN or infinite, or the metadata does not fit; no file is touched.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(TrainedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelJsonWriter.EnsureWritable(model);
        AtomicFileWriter.Write(path, stream => ModelJsonWriter.Write(model, stream));
    }

    /// <summary>Reads a model from <paramref name="source"/>; <paramref name="sourceName"/> starts every error message.</summary>
    /// <exception cref="InvalidInputException">
    /// The JSON is malformed or does not describe a valid model; the one-line message names the source,
    /// the JSON path (or line) and the reason, e.g. <c>model.json: layers[1].weights[3]: expected 256 numbers, got 255</c>.
    /// </exception>
    public static TrainedModel Read(Stream source, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ModelJsonReader.Read(source, sourceName);
    }

    /// <summary>Reads the model file at <paramref name="path"/>; error messages start with <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, unreadable, or not a valid model (see <see cref="Read"/>).</exception>
    public static TrainedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"{path}: file not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot be read (permission denied, or it is a directory)");
        }

        using (stream)
        {
            return ModelJsonReader.Read(stream, path);
        }
    }

    /// <summary>
    /// Checks that <paramref name="network"/> fits data with <paramref name="inputSize"/> features and
    /// <paramref name="outputSize"/> target values per sample (for <c>--init-model</c> with a dataset).
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// A size differs, e.g. <c>model.json: layers[0].inputs: the model takes 784 inputs but the data has 2 features</c>.
    /// </exception>
    public static void EnsureMatches(Network network, int inputSize, int outputSize, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sourceName);
        var spec = network.Spec;
        if (spec.InputSize != inputSize)
        {
            throw new InvalidInputException(
                sourceName,
                ModelJsonPaths.Key(0, ModelJsonKeys.Inputs),
                $"the model takes {spec.InputSize} inputs but the data has {inputSize} features");
        }

        if (spec.OutputSize != outputSize)
        {
            throw new InvalidInputException(
                sourceName,
                ModelJsonPaths.Key(spec.Layers.Count - 1, ModelJsonKeys.Outputs),
                $"the model has {spec.OutputSize} outputs but the data has {outputSize} target values");
        }
    }
}
