using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Core.Tests.Data;

/// <summary>Builds IDX file contents byte by byte, independently of the reader under test.</summary>
internal static class IdxBytes
{
    public static byte[] Images(int count, int rows, int columns, byte[] pixels) =>
        [.. Header(0x00000803, count, rows, columns), .. pixels];

    public static byte[] Labels(params byte[] labels) => [.. Header(0x00000801, labels.Length), .. labels];

    public static byte[] Header(int magic, params int[] sizes)
    {
        var header = new byte[4 * (1 + sizes.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * (i + 1)), sizes[i]);
        }

        return header;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] RandomPixels(int length, int seed)
    {
        var pixels = new byte[length];
        new Random(seed).NextBytes(pixels);
        return pixels;
    }
}
