using System.Buffers.Binary;
using Google.Protobuf;
using System.Security.Cryptography;
using System.Text;
using Backprop.Protocol.V1;
using Backprop.Server.Trainer;

namespace Backprop.Server.Storage;

/// <summary>
/// The files of one upload as they arrive: written to a staging folder one after another, counted against the size
/// limit and hashed on the way, so that nothing is held in memory.
/// </summary>
/// <remarks>
/// Two hashes are kept: the SHA-256 of all bytes in the order sent, which the client's <c>sha256</c> must match, and
/// the dataset's identity, the SHA-256 of the format, the target columns and each file's name and SHA-256, so that
/// the same bytes cut into other files, or under other names, are another dataset.
/// </remarks>
internal sealed class IncomingUpload : IAsyncDisposable
{
    /// <summary>Longest file name accepted.</summary>
    public const int MaxFileNameLength = 100;

    private const int WriteBufferBytes = 1 << 16;

    private readonly string _folder;
    private readonly DatasetFormat _format;
    private readonly long _maxBytes;
    private readonly IncrementalHash _allBytes = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _fileBytes = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _identity = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<string> _files = [];
    private FileStream? _current;

    /// <summary>
    /// Starts an upload of <paramref name="format"/> into the existing, empty <paramref name="folder"/>. How it is read
    /// (<paramref name="targetColumns"/>, <paramref name="table"/>) is part of its identity; a default layout adds nothing,
    /// so such uploads keep the ids they had before layouts existed.
    /// </summary>
    public IncomingUpload(string folder, DatasetFormat format, int targetColumns, TableLayout? table, long maxBytes)
    {
        _folder = folder;
        _format = format;
        _maxBytes = maxBytes;
        Span<byte> header = stackalloc byte[2 * sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(header, (int)format);
        BinaryPrimitives.WriteInt32LittleEndian(header[sizeof(int)..], targetColumns);
        _identity.AppendData(header);
        _identity.AppendData(table?.ToByteArray() ?? []);
    }

    /// <summary>Bytes received so far, over all files.</summary>
    public long SizeBytes { get; private set; }

    /// <summary>The files received so far, in the order sent.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// Takes the next message: its <c>file</c>, when set to a name other than the current file's, starts that file;
    /// its bytes are appended to the current file.
    /// </summary>
    /// <exception cref="RequestRejectedException">The file name is not acceptable, or the upload grows past the limit.</exception>
    public async ValueTask ReceiveAsync(UploadDatasetRequest message, CancellationToken cancellation)
    {
        if (message.File.Length > 0 && message.File != _files.LastOrDefault())
        {
            await StartFileAsync(message.File).ConfigureAwait(false);
        }

        if (_current is null)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "file", "the first message must name the file its bytes belong to");
        }

        var data = message.Data.Memory;
        if (data.Length > _maxBytes - SizeBytes)
        {
            throw new RequestRejectedException(Rejection.ResourceExhausted, "data",
                $"the upload is larger than this server accepts, {_maxBytes} bytes (its setting Trainer:MaxUploadBytes)");
        }

        SizeBytes += data.Length;
        _allBytes.AppendData(data.Span);
        _fileBytes.AppendData(data.Span);
        await _current.WriteAsync(data, cancellation).ConfigureAwait(false);
    }

    /// <summary>Closes the last file, flushed to disk; returns the SHA-256 of all bytes (lowercase hex) and the identity hash.</summary>
    public async ValueTask<(string Sha256, byte[] Identity)> FinishAsync()
    {
        await CloseFileAsync().ConfigureAwait(false);
        return (Convert.ToHexStringLower(_allBytes.GetHashAndReset()), _identity.GetHashAndReset());
    }

    /// <summary>Closes the current file, if any, without flushing it to disk.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }

        _allBytes.Dispose();
        _fileBytes.Dispose();
        _identity.Dispose();
    }

    private async ValueTask StartFileAsync(string name)
    {
        CheckFileName(name);
        if (_files.Contains(name))
        {
            throw Invalid("file", $"'{name}' sent twice; send each file's bytes in one run of messages");
        }

        if (_format == DatasetFormat.Csv && _files.Count > 0)
        {
            throw Invalid("file", $"a CSV upload is one file, but '{name}' follows '{_files[0]}'");
        }

        await CloseFileAsync().ConfigureAwait(false);
        _current = new FileStream(
            Path.Combine(_folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteBufferBytes, useAsync: true);
        _files.Add(name);
    }

    private async ValueTask CloseFileAsync()
    {
        if (_current is null)
        {
            return;
        }

        await _current.FlushAsync().ConfigureAwait(false);
        _current.Flush(flushToDisk: true);
        await _current.DisposeAsync().ConfigureAwait(false);
        _current = null;

        // The file's entry in the identity: its name, length-prefixed, then the SHA-256 of its bytes.
        var name = Encoding.UTF8.GetBytes(_files[^1]);
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(length, name.Length);
        _identity.AppendData(length);
        _identity.AppendData(name);
        _identity.AppendData(_fileBytes.GetHashAndReset());
    }

    private static void CheckFileName(string name)
    {
        var problem = name switch
        {
            { Length: > MaxFileNameLength } => $"is {name.Length} characters long; at most {MaxFileNameLength}",
            _ when name.IndexOfAny(['/', '\\']) >= 0 => "holds a folder separator; send a plain file name",
            _ when name.Contains("..", StringComparison.Ordinal) => "holds '..'; send a plain file name",
            _ when name.StartsWith('.') => "starts with '.'; such names are the server's own",
            _ when name == UploadStore.RecordFileName => "is the name of the record the server keeps next to the files",
            _ when name.Any(char.IsControl) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 => "holds a character file names cannot",
            _ => null,
        };
        if (problem is not null)
        {
            throw Invalid("file", $"'{name}' {problem}");
        }
    }

    private static RequestRejectedException Invalid(string field, string reason) => new(Rejection.InvalidArgument, field, reason);
}
