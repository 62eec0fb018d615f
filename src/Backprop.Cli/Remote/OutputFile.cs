using Backprop.Core;

namespace Backprop.Cli.Remote;

/// <summary>Writes user-named output files, turning I/O failures into one-line input errors.</summary>
internal static class OutputFile
{
    /// <summary>Runs <paramref name="write"/>, which writes <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file cannot be written.</exception>
    public static void Write(string path, Action write) => Attempt(path, () =>
    {
        write();
        return true;
    });

    /// <summary>A new text file at <paramref name="path"/> (replacing one there).</summary>
    /// <exception cref="InvalidInputException">The file cannot be created.</exception>
    public static StreamWriter Create(string path) => Attempt(path, () => new StreamWriter(path));

    private static T Attempt<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot write: {error.Message.ReplaceLineEndings(" ")}");
        }
    }
}
