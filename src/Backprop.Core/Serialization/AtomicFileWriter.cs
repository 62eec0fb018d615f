namespace Backprop.Core.Serialization;

/// <summary>
/// Writes files so that a reader, or the next start after a crash, sees either the old content or the new one, never a
/// torn mix: the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file then
/// replaces the target in one rename.
/// </summary>
public static class AtomicFileWriter
{
    /// <summary>Name ending of the temporary files; a crash between write and rename can leave one behind.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Replaces the file at <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <exception cref="IOException">The folder does not exist or the file cannot be written; the target is unchanged.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var target = Path.GetFullPath(path);
        // Same folder as the target: a rename within one file system is atomic, a move across two is a copy.
        // The leading dot keeps the temporary file out of listings that skip hidden names.
        var temporary = Path.Combine(
            Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    // Cleanup after a failed write must not hide the failure that caused it; a leftover temporary file is harmless.
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }
}
