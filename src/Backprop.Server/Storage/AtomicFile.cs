using Google.Protobuf;

namespace Backprop.Server.Storage;

/// <summary>
/// Writes files so that a reader, or the next start after a crash, sees either the old content or the new one,
/// never a torn mix: the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary
/// file then replaces the target in one rename.
/// </summary>
public static class AtomicFile
{
    /// <summary>Name ending of the temporary files; a crash between write and rename can leave one behind.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Replaces the file at <paramref name="path"/> with the serialized <paramref name="message"/>.</summary>
    /// <exception cref="IOException">The folder does not exist or the file cannot be written; the target is unchanged.</exception>
    public static void Write(string path, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Write(path, message.ToByteArray());
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    /// <exception cref="IOException">The folder does not exist or the file cannot be written; the target is unchanged.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var target = Path.GetFullPath(path);
        // Same folder as the target: a rename within one file system is atomic, a move across two is a copy.
        // The leading dot keeps the temporary file out of listings that skip hidden names.
        var temporary = Path.Combine(
            Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
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

    /// <summary>Reads the message stored at <paramref name="path"/>; null when there is no such file.</summary>
    /// <exception cref="InvalidProtocolBufferException">The file is not a valid <typeparamref name="T"/>.</exception>
    public static T? Read<T>(string path, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(parser);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return parser.ParseFrom(bytes);
    }

    // Cleanup after a failed write must not hide the failure that caused it.
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
