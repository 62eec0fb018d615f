namespace Backprop.Core.Data;

/// <summary>Opens a user-supplied file for reading, turning I/O failures into one-line input errors.</summary>
internal static class InputFile
{
    private const int BufferSize = 1 << 16;

    /// <summary>A read-only stream over <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing or cannot be read.</exception>
    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot open: {error.Message.ReplaceLineEndings(" ")}");
        }
    }
}
