namespace Backprop.Core.Data;

/// <summary>
/// The contents of an IDX images file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/>
/// unsigned bytes, image after image, each row-major.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps the pixels (not copied); their length must be count × rows × columns.</summary>
    public IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (pixels.LongLength != (long)count * rows * columns)
        {
            throw new ArgumentException($"pixels length {pixels.LongLength} does not match {count} × {rows} × {columns}", nameof(pixels));
        }

        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Pixel rows per image.</summary>
    public int Rows { get; }

    /// <summary>Pixel columns per image.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image: <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>All pixels, 0 (background) to 255, image after image.</summary>
    public byte[] Pixels { get; }
}
