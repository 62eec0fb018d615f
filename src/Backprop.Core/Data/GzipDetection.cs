using System.IO.Compression;

namespace Backprop.Core.Data;

/// <summary>
/// Recognises gzip by its magic bytes 1f 8b (never by the file name) and hands back the content:
/// decompressed when the stream is gzip, the bytes as they are otherwise.
/// </summary>
internal static class GzipDetection
{
    private const byte GzipMagic1 = 0x1f;
    private const byte GzipMagic2 = 0x8b;

    /// <summary>
    /// The content of <paramref name="raw"/>, which is read from its current position. The returned stream
    /// never closes <paramref name="raw"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">The stream is empty.</exception>
    public static Stream OpenContent(Stream raw, string source)
    {
        var magic = new byte[2];
        var found = raw.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (found == 0)
        {
            throw new InvalidInputException(source, "header", "empty file");
        }

        var replayed = new PrefixedStream(magic[..found], raw);
        return found == magic.Length && magic[0] == GzipMagic1 && magic[1] == GzipMagic2
            ? new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false)
            : replayed;
    }
}
