using System.Buffers.Binary;
using System.Text;

namespace Backprop.Benchmarks.NativeLoading;

/// <summary>What <see cref="ElfVersionNeedPatcher.MarkWeak"/> did.</summary>
public enum VersionNeedPatchResult
{
    /// <summary>The entry was strong; its weak flag is now set and the file rewritten.</summary>
    Patched,

    /// <summary>The entry already had the weak flag; the file was not written.</summary>
    AlreadyWeak,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared object as weak
/// (<c>VER_FLG_WEAK</c> on its <c>Elf64_Vernaux</c> entry in <c>.gnu.version_r</c>), so that the
/// dynamic loader accepts a library that does not define that version instead of refusing to load.
/// </summary>
/// <remarks>
/// Only safe when no relocation binds a symbol of that version (the loader would then fail on the
/// symbol instead). Layout per the System V gABI and the LSB "Symbol Versioning" chapter:
/// the ELF header gives the section header table; the <c>SHT_GNU_verneed</c> section holds a chain
/// of <c>Elf64_Verneed</c> records (one per needed file, <c>sh_info</c> of them), each with a chain of
/// <c>Elf64_Vernaux</c> records (one per needed version) whose names live in the string table that
/// the section's <c>sh_link</c> names.
/// </remarks>
public static class ElfVersionNeedPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private const int ElfClass64 = 2;
    private const int ElfDataLittleEndian = 1;
    private const int ElfHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on the requirement named <paramref name="versionName"/> (e.g.
    /// <c>GLIBCXX_3.4.32</c>) in <paramref name="path"/>. Idempotent: a weak entry is left alone.
    /// The file is rewritten through a temporary file and a rename, so a hard link to it (a package
    /// cache) is never modified.
    /// </summary>
    /// <returns>Which of the two happened; <paramref name="neededFrom"/> is the library that the
    /// requirement names (e.g. <c>libstdc++.so.6</c>).</returns>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, it has no
    /// <c>SHT_GNU_verneed</c> section, or no requirement of that name.</exception>
    public static VersionNeedPatchResult MarkWeak(string path, string versionName, out string neededFrom)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(versionName);
        var image = File.ReadAllBytes(path);
        var flagsOffset = FindVernauxFlags(image, path, versionName, out neededFrom);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(flagsOffset));
        if ((flags & VerFlgWeak) != 0)
        {
            return VersionNeedPatchResult.AlreadyWeak;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(flagsOffset), (ushort)(flags | VerFlgWeak));
        var temporary = $"{path}.{Environment.ProcessId}.patching";
        File.WriteAllBytes(temporary, image);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
        }

        File.Move(temporary, path, overwrite: true);
        return VersionNeedPatchResult.Patched;
    }

    /// <summary>File offset of <c>vna_flags</c> of the requirement named <paramref name="versionName"/>.</summary>
    private static int FindVernauxFlags(ReadOnlySpan<byte> image, string path, string versionName, out string neededFrom)
    {
        if (image.Length < ElfHeaderSize || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException($"{path}: not an ELF file");
        }

        if (image[4] != ElfClass64 || image[5] != ElfDataLittleEndian)
        {
            throw new InvalidDataException($"{path}: not ELF64 little-endian (class {image[4]}, data {image[5]})");
        }

        var sectionTable = ToOffset(BinaryPrimitives.ReadUInt64LittleEndian(image[0x28..]), image, path, "e_shoff");
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3a..]);
        if (entrySize != SectionHeaderSize)
        {
            throw new InvalidDataException($"{path}: e_shentsize is {entrySize}, expected {SectionHeaderSize}");
        }

        long sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3c..]);
        if (sectionCount == 0 && sectionTable != 0)
        {
            // More than 0xff00 sections: the real count is sh_size of section 0.
            sectionCount = (long)BinaryPrimitives.ReadUInt64LittleEndian(Slice(image, sectionTable + 32, 8, path, "section 0"));
        }

        for (long s = 0; s < sectionCount; s++)
        {
            var header = Slice(image, sectionTable + (s * SectionHeaderSize), SectionHeaderSize, path, $"section header {s}");
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = ToOffset(BinaryPrimitives.ReadUInt64LittleEndian(header[24..]), image, path, "verneed sh_offset");
            var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var link = BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
            var fileCount = BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            if (link >= sectionCount)
            {
                throw new InvalidDataException($"{path}: verneed section's sh_link {link} is not a section");
            }

            var stringsHeader = Slice(image, sectionTable + (link * SectionHeaderSize), SectionHeaderSize, path, "string table header");
            var strings = ToOffset(BinaryPrimitives.ReadUInt64LittleEndian(stringsHeader[24..]), image, path, "string table sh_offset");
            _ = Slice(image, offset, size, path, "verneed section");
            return WalkVerneed(image, path, versionName, offset, fileCount, strings, out neededFrom);
        }

        throw new InvalidDataException($"{path}: no SHT_GNU_verneed (.gnu.version_r) section among {sectionCount} sections");
    }

    private static int WalkVerneed(ReadOnlySpan<byte> image, string path, string versionName, long first, uint fileCount, long strings, out string neededFrom)
    {
        var seen = new List<string>();
        var verneed = first;
        for (var f = 0; f < fileCount; f++)
        {
            var record = Slice(image, verneed, VerneedSize, path, $"Elf64_Verneed {f}");
            var versionCount = BinaryPrimitives.ReadUInt16LittleEndian(record[2..]);
            var file = ReadString(image, strings + BinaryPrimitives.ReadUInt32LittleEndian(record[4..]), path);
            var vernaux = verneed + BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
            for (var v = 0; v < versionCount; v++)
            {
                var aux = Slice(image, vernaux, VernauxSize, path, $"Elf64_Vernaux {v} of {file}");
                var name = ReadString(image, strings + BinaryPrimitives.ReadUInt32LittleEndian(aux[8..]), path);
                if (name == versionName)
                {
                    neededFrom = file;
                    return checked((int)(vernaux + 4));
                }

                seen.Add(name);
                vernaux += BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
            if (next == 0)
            {
                break;
            }

            verneed += next;
        }

        throw new InvalidDataException(
            $"{path}: no version requirement named {versionName} in .gnu.version_r (found: {string.Join(", ", seen)})");
    }

    private static string ReadString(ReadOnlySpan<byte> image, long offset, string path)
    {
        var rest = Slice(image, offset, image.Length - offset, path, "string");
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new InvalidDataException($"{path}: unterminated string at offset {offset}");
        }

        return Encoding.ASCII.GetString(rest[..end]);
    }

    private static long ToOffset(ulong value, ReadOnlySpan<byte> image, string path, string field) =>
        value <= (ulong)image.Length
            ? (long)value
            : throw new InvalidDataException($"{path}: {field} {value} lies past the end of the file ({image.Length} bytes)");

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> image, long offset, long length, string path, string what) =>
        offset >= 0 && length >= 0 && offset + length <= image.Length
            ? image.Slice((int)offset, (int)length)
            : throw new InvalidDataException($"{path}: {what} at offset {offset} (+{length}) lies outside the file ({image.Length} bytes)");
}
