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

    /// <summary>
    /// Checks, before any work, that a file can be created at <paramref name="path"/> (given with <paramref name="flag"/>):
    /// its folder exists and the path is not a folder. Whether writing is allowed shows only when it is written.
    /// </summary>
    /// <exception cref="InvalidInputException">The path names a folder, or a file in a folder that does not exist.</exception>
    public static void EnsureCanCreate(string path, string flag)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"{flag}: {path} is a directory; give a file name");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new InvalidInputException($"{flag}: cannot write {path}: the directory {folder} does not exist");
        }
    }

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
