using Backprop.Core.Serialization;
using Google.Protobuf;

namespace Backprop.Server.Storage;

/// <summary>
/// Protobuf records on disk: written atomically (<see cref="AtomicFileWriter"/>: a reader, or the next start after a
/// crash, sees the old content or the new one, never a torn mix), read back as their message.
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces the file at <paramref name="path"/> with the serialized <paramref name="message"/>.</summary>
    /// <exception cref="IOException">The folder does not exist or the file cannot be written; the target is unchanged.</exception>
    public static void Write(string path, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        AtomicFileWriter.Write(path, message.WriteTo);
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    /// <exception cref="IOException">The folder does not exist or the file cannot be written; the target is unchanged.</exception>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        AtomicFileWriter.Write(path, stream => stream.Write(bytes));
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
}
