using Backprop.Core;

namespace Backprop.Cli.Export;

/// <summary>The formats a model can be written in: <c>--format json|onnx</c>.</summary>
internal enum ModelFileFormat
{
    /// <summary>The project's model JSON (docs/model-format.md), which every verb reads back.</summary>
    Json,

    /// <summary>An ONNX graph (<see cref="OnnxExport"/>), for other runtimes.</summary>
    Onnx,
}

/// <summary>The names <c>--format</c> takes.</summary>
internal static class ModelFileFormats
{
    /// <summary>The accepted names, for help and messages.</summary>
    public static string AcceptedNames => string.Join(", ", Enum.GetValues<ModelFileFormat>().Select(Name));

    /// <summary>The name of <paramref name="format"/>, as <c>--format</c> takes it.</summary>
    public static string Name(ModelFileFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The format <paramref name="name"/> names; <paramref name="flag"/> names the flag in errors.</summary>
    /// <exception cref="InvalidInputException">Not a format name.</exception>
    public static ModelFileFormat Parse(string name, string flag)
    {
        foreach (var format in Enum.GetValues<ModelFileFormat>())
        {
            if (Name(format).Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        throw new InvalidInputException($"{flag}: unknown format '{name}' (use {AcceptedNames})");
    }
}
