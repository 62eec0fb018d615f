using System.Security.Cryptography;
using Backprop.Core;
using Backprop.Protocol.V1;
using Google.Protobuf;

namespace Backprop.Cli.Remote;

/// <summary>
/// What <c>backprop upload</c> sends: a CSV file, or every file of an IDX directory sorted by name, cut into
/// <see cref="ChunkBytes"/> messages. The first message names the dataset, the first of each file names the
/// file, the last carries the SHA-256 of all bytes sent.
/// </summary>
internal sealed class DatasetUpload
{
    /// <summary>Bytes of file data per message.</summary>
    public const int ChunkBytes = 1024 * 1024;

    private DatasetUpload(string name, DatasetFormat format, int targetColumns, IReadOnlyList<string> files)
    {
        Name = name;
        Format = format;
        TargetColumns = targetColumns;
        Files = files;
    }

    /// <summary>The dataset's name on the server.</summary>
    public string Name { get; }

    /// <summary>CSV for a file, IDX for a directory.</summary>
    public DatasetFormat Format { get; }

    /// <summary>CSV only: trailing real-valued target columns (0: a class label).</summary>
    public int TargetColumns { get; }

    /// <summary>The files to send, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The upload of <paramref name="path"/> (a CSV file or an IDX directory).</summary>
    /// <exception cref="InvalidInputException">The path is missing, an empty directory, or --targets is given for IDX.</exception>
    public static DatasetUpload Of(string path, string? name, int? targetColumns)
    {
        var fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var defaultName = Path.GetFileName(fullPath);
        if (targetColumns is < 1)
        {
            throw new InvalidInputException($"--targets: must be ≥ 1, got {targetColumns}");
        }

        if (File.Exists(fullPath))
        {
            return new DatasetUpload(name ?? defaultName, DatasetFormat.Csv, targetColumns ?? 0, [fullPath]);
        }

        if (!Directory.Exists(fullPath))
        {
            throw new InvalidInputException($"{path}: no such file or directory");
        }

        if (targetColumns is not null)
        {
            throw new InvalidInputException("--targets: only for a CSV file; an IDX directory's labels are its own");
        }

        var files = Directory.GetFiles(fullPath).Order(StringComparer.Ordinal).ToArray();
        return files.Length == 0
            ? throw new InvalidInputException($"{path}: an empty directory (an IDX dataset is a directory of IDX files)")
            : new DatasetUpload(name ?? defaultName, DatasetFormat.Idx, 0, files);
    }

    /// <summary>
    /// The messages, read as they are sent. Each is yielded only once the next is read, so the last one
    /// can carry the hash of everything before it.
    /// </summary>
    public IEnumerable<UploadDatasetRequest> Messages()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        UploadDatasetRequest? pending = null;
        foreach (var file in Files)
        {
            using var stream = OpenRead(file);
            var firstOfFile = true;
            int read;
            while ((read = ReadChunk(stream, buffer)) > 0 || firstOfFile)
            {
                hash.AppendData(buffer, 0, read);
                var message = new UploadDatasetRequest { Data = ByteString.CopyFrom(buffer, 0, read) };
                if (firstOfFile)
                {
                    message.File = Path.GetFileName(file);
                    firstOfFile = false;
                }

                if (pending is null)
                {
                    message.Name = Name;
                    message.Format = Format;
                    message.TargetColumns = TargetColumns;
                }
                else
                {
                    yield return pending;
                }

                pending = message;
            }
        }

        pending!.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        yield return pending;
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot open: {error.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Fills <paramref name="buffer"/> unless the file ends first, so every chunk but a file's last is whole.</summary>
    private static int ReadChunk(Stream stream, byte[] buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
}
