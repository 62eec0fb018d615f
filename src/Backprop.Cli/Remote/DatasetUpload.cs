using System.Security.Cryptography;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Data.Tables;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Google.Protobuf;

namespace Backprop.Cli.Remote;

/// <summary>
/// What <c>backprop upload</c> sends: a CSV or Parquet file, or every file of an IDX directory sorted by name, cut into
/// <see cref="ChunkBytes"/> messages. The first message names the dataset, the first of each file names the
/// file, the last carries the SHA-256 of all bytes sent.
/// </summary>
internal sealed class DatasetUpload
{
    /// <summary>Bytes of file data per message.</summary>
    public const int ChunkBytes = 1024 * 1024;

    private DatasetUpload(string name, DatasetFormat format, TableOptions table, IReadOnlyList<string> files)
    {
        Name = name;
        Format = format;
        Table = table;
        Files = files;
    }

    /// <summary>The dataset's name on the server.</summary>
    public string Name { get; }

    /// <summary>CSV or Parquet for a file, IDX for a directory.</summary>
    public DatasetFormat Format { get; }

    /// <summary>Tables only: header, label or target columns.</summary>
    public TableOptions Table { get; }

    /// <summary>The files to send, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The upload of <paramref name="path"/> (a CSV or Parquet file, or an IDX directory).</summary>
    /// <exception cref="InvalidInputException">The path is missing, an empty directory, or table options are given for IDX.</exception>
    public static DatasetUpload Of(string path, string? name, TableOptions table)
    {
        var fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var defaultName = Path.GetFileName(fullPath);
        if (File.Exists(fullPath))
        {
            var format = ParquetDatasetReader.IsParquet(fullPath) ? DatasetFormat.Parquet : DatasetFormat.Csv;
            return new DatasetUpload(name ?? defaultName, format, table, [fullPath]);
        }

        if (!Directory.Exists(fullPath))
        {
            throw new InvalidInputException($"{path}: no such file or directory");
        }

        if (table != TableOptions.Default)
        {
            throw new InvalidInputException("--targets, --header, --label-column: only for a table file; an IDX directory's labels are its own");
        }

        var files = Directory.GetFiles(fullPath).Order(StringComparer.Ordinal).ToArray();
        return files.Length == 0
            ? throw new InvalidInputException($"{path}: an empty directory (an IDX dataset is a directory of IDX files)")
            : new DatasetUpload(name ?? defaultName, DatasetFormat.Idx, table, files);
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
                    (message.TargetColumns, message.Table) = TableConverter.TableOptionsToProto(Table);
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
