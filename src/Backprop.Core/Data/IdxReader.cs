using System.Buffers.Binary;

namespace Backprop.Core.Data;

/// <summary>
/// Reads IDX files, the format of MNIST: a big-endian header (magic number, then one 32-bit size per
/// dimension) followed by the unsigned bytes. Files may be gzip-compressed; gzip is recognised by its
/// magic bytes, not by the name. Streams let files and embedded resources share one reader.
/// </summary>
/// <remarks>
/// Every problem with the data is an <see cref="InvalidInputException"/> whose one-line message names
/// the source, the place (<c>header</c>, <c>body</c> or <c>gzip</c>) and the reason, e.g.
/// <c>data/train-images-idx3-ubyte: header: magic number 0x00000812 is not an IDX images file (expected 0x00000803)</c>.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an images file: unsigned bytes, three dimensions (count × rows × columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a labels file: unsigned bytes, one dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    // The body buffer starts at most this big and doubles as bytes arrive, so a corrupt header that
    // claims gigabytes fails as "truncated" instead of allocating them up front.
    private const int InitialBodyBuffer = 1 << 20;

    /// <summary>Reads the images file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not a valid IDX images file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = InputFile.OpenRead(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an images file from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidInputException">The data is not a valid IDX images file.</exception>
    public static IdxImages ReadImages(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        return Decode(stream, source, content =>
        {
            var sizes = ReadHeader(content, source, ImagesMagic, dimensions: 3);
            var (count, rows, columns) = (sizes[0], sizes[1], sizes[2]);
            RequirePositive(source, count, "image count");
            RequirePositive(source, rows, "row count");
            RequirePositive(source, columns, "column count");
            var length = (long)count * rows * columns;
            if (length > Array.MaxLength)
            {
                throw new InvalidInputException(source, "header", $"{count} images of {rows}×{columns} pixels are too many to load");
            }

            var pixels = ReadBody(content, source, (int)length, "pixels");
            return new IdxImages(count, rows, columns, pixels);
        });
    }

    /// <summary>Reads the labels file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not a valid IDX labels file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = InputFile.OpenRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads a labels file (one byte per sample) from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="InvalidInputException">The data is not a valid IDX labels file.</exception>
    public static byte[] ReadLabels(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        return Decode(stream, source, content =>
        {
            var count = ReadHeader(content, source, LabelsMagic, dimensions: 1)[0];
            RequirePositive(source, count, "label count");
            return ReadBody(content, source, count, "labels");
        });
    }

    private static T Decode<T>(Stream stream, string source, Func<Stream, T> read)
    {
        try
        {
            using var content = GzipDetection.OpenContent(stream, source);
            return read(content);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidInputException(source, "gzip", $"corrupt compressed data ({error.Message.ReplaceLineEndings(" ")})");
        }
    }

    private static int[] ReadHeader(Stream content, string source, int expectedMagic, int dimensions)
    {
        var header = new byte[4 * (1 + dimensions)];
        var found = content.ReadAtLeast(header.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        if (found == 4)
        {
            var magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
            {
                throw new InvalidInputException(source, "header", WrongMagic(magic, expectedMagic));
            }

            found += content.ReadAtLeast(header.AsSpan(4), header.Length - 4, throwOnEndOfStream: false);
        }

        if (found < header.Length)
        {
            throw new InvalidInputException(source, "header", $"truncated, expected {header.Length} bytes, found {found}");
        }

        var sizes = new int[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * (d + 1)));
        }

        return sizes;
    }

    private static string WrongMagic(int magic, int expected)
    {
        var kind = expected == ImagesMagic ? "images" : "labels";
        var reason = $"magic number 0x{magic:X8} is not an IDX {kind} file (expected 0x{expected:X8})";
        return magic switch
        {
            ImagesMagic => reason + "; it is an images file",
            LabelsMagic => reason + "; it is a labels file",
            _ => reason,
        };
    }

    private static void RequirePositive(string source, int size, string what)
    {
        // Sizes are unsigned 32-bit in the format; above int.MaxValue they read as negative here.
        if (size <= 0)
        {
            throw new InvalidInputException(source, "header", $"{what} {(uint)size} is not usable (must be 1 to {int.MaxValue})");
        }
    }

    private static byte[] ReadBody(Stream content, string source, int length, string what)
    {
        var buffer = new byte[Math.Min(length, InitialBodyBuffer)];
        var filled = 0;
        while (true)
        {
            var read = content.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
            if (filled == buffer.Length)
            {
                if (filled == length)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, length));
            }
        }

        if (filled < length)
        {
            throw new InvalidInputException(source, "body", $"truncated, expected {length} bytes of {what}, found {filled}");
        }

        if (content.ReadByte() >= 0)
        {
            throw new InvalidInputException(source, "body", $"expected {length} bytes of {what}, found more (data after the last one)");
        }

        return buffer;
    }
}
