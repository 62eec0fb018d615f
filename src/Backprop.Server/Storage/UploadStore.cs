using System.Text.RegularExpressions;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Trainer;
using Google.Protobuf;

namespace Backprop.Server.Storage;

/// <summary>
/// Datasets uploaded to the coordinator, kept on its data volume: <c>uploads/&lt;dataset_id&gt;/</c> holds the files
/// as sent and <c>dataset.pb</c>, the <see cref="UploadedDataset"/> record. Ids are content-addressed, so the same
/// upload sent twice is stored once and gets the same id.
/// </summary>
/// <remarks>
/// An upload is received in steps:
/// <list type="number">
/// <item>The first message's name, format and target columns are checked, and a staging folder
/// <c>uploads/.incoming-&lt;guid&gt;/</c> is made.</item>
/// <item>Bytes are streamed into the named files there, counted against the size limit and hashed on the way.</item>
/// <item>The client's <c>sha256</c> (last message only) must match the bytes received.</item>
/// <item>The files must load as a dataset, as <c>backprop train --data</c> would load them.</item>
/// <item>The record is written into the staging folder, which is then renamed to <c>uploads/&lt;dataset_id&gt;/</c>, so
/// that folder appears complete or not at all. When it already exists, the staging copy is dropped.</item>
/// </list>
/// On any failure or cancellation the staging folder is deleted.
/// </remarks>
public sealed partial class UploadStore
{
    /// <summary>File name of a dataset's record in its folder.</summary>
    public const string RecordFileName = "dataset.pb";

    /// <summary>Longest dataset name accepted.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Beginning of a dataset id; 16 lowercase hex digits of its identity hash follow.</summary>
    public const string DatasetIdPrefix = "ds-";

    private const string StagingPrefix = ".incoming-";

    private const int IdHexDigits = 16;

    // Seed of generated data; uploads are never generated, but the loader asks for one.
    private const int LoaderSeed = 1;

    private readonly DataRoot _root;
    private readonly long _maxUploadBytes;

    /// <summary>
    /// Keeps uploads under <paramref name="root"/>'s <c>uploads/</c> folder, creating it, and deletes the staging
    /// folders of uploads that a previous run left unfinished; so one store per data root.
    /// </summary>
    /// <param name="root">The data volume.</param>
    /// <param name="maxUploadBytes">Largest upload accepted, all files together (<see cref="TrainerOptions.MaxUploadBytes"/>).</param>
    public UploadStore(DataRoot root, long maxUploadBytes)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxUploadBytes);
        _root = root;
        _maxUploadBytes = maxUploadBytes;
        Directory.CreateDirectory(root.UploadsFolder);
        foreach (var stale in Directory.EnumerateDirectories(root.UploadsFolder, StagingPrefix + "*"))
        {
            DeleteFolderQuietly(stale);
        }
    }

    /// <summary>Receives one upload (the steps are in the class remarks) and returns its stored record.</summary>
    /// <param name="messages">The client's stream: the first message names the dataset, each carries the next bytes.</param>
    /// <param name="cancellation">Stops the upload; nothing of it is kept.</param>
    /// <returns>
    /// The record of the dataset; when the same files were uploaded before, the record stored then (with the name given
    /// then).
    /// </returns>
    /// <exception cref="RequestRejectedException">
    /// <see cref="Rejection.InvalidArgument"/> naming the bad field (<c>name</c>, <c>format</c>, <c>target_columns</c>,
    /// <c>file</c>, <c>sha256</c> or <c>data</c>); <see cref="Rejection.ResourceExhausted"/> for <c>data</c> past the
    /// size limit.
    /// </exception>
    public async Task<UploadedDataset> ReceiveAsync(IAsyncEnumerable<UploadDatasetRequest> messages, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var enumerator = messages.GetAsyncEnumerator(cancellation);
        await using (enumerator.ConfigureAwait(false))
        {
            if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                throw Invalid("name", "the upload stream was empty");
            }

            var first = enumerator.Current;
            CheckHeader(first);
            var staging = Path.Combine(_root.UploadsFolder, StagingPrefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(staging);
            try
            {
                var dataset = await ReceiveFilesAsync(enumerator, staging, cancellation).ConfigureAwait(false);
                await CheckLoadsAsync(dataset, staging, cancellation).ConfigureAwait(false);
                AtomicFile.Write(Path.Combine(staging, RecordFileName), dataset);
                return Publish(staging, dataset);
            }
            catch
            {
                DeleteFolderQuietly(staging);
                throw;
            }
        }
    }

    /// <summary>The record of the uploaded dataset <paramref name="datasetId"/>.</summary>
    /// <exception cref="RequestRejectedException"><see cref="Rejection.NotFound"/> for <c>dataset.uploaded_id</c> when there is no such dataset.</exception>
    public UploadedDataset Find(string datasetId)
    {
        // The id is checked before it goes into a path, so a request cannot name any other folder.
        if (!IsDatasetId(datasetId))
        {
            throw NotFound(datasetId, "is not a dataset id (ds- and 16 hex digits, as UploadDataset returns)");
        }

        try
        {
            return Read(Path.Combine(_root.UploadsFolder, datasetId)) ?? throw NotFound(datasetId, "was not uploaded to this server");
        }
        catch (InvalidProtocolBufferException)
        {
            throw NotFound(datasetId, "is damaged on this server; upload the data again");
        }
    }

    /// <summary>The path to give <see cref="DatasetLoader.Load"/>: the table file, or the folder of the IDX files.</summary>
    /// <exception cref="ArgumentException">The record is not one this store wrote.</exception>
    public string DataPathOf(UploadedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!IsDatasetId(dataset.DatasetId))
        {
            throw new ArgumentException($"'{dataset.DatasetId}' is not a dataset id", nameof(dataset));
        }

        var folder = Path.Combine(_root.UploadsFolder, dataset.DatasetId);
        if (dataset.Format == DatasetFormat.Idx)
        {
            return folder;
        }

        if (dataset.Files.Count != 1 || Path.GetFileName(dataset.Files[0]) != dataset.Files[0])
        {
            throw new ArgumentException($"dataset '{dataset.DatasetId}' is a table but does not name one plain file", nameof(dataset));
        }

        return Path.Combine(folder, dataset.Files[0]);
    }

    /// <summary>Every stored dataset, ordered by name, then id; damaged records are left out.</summary>
    public IReadOnlyList<UploadedDataset> List()
    {
        var datasets = new List<UploadedDataset>();
        foreach (var folder in Directory.EnumerateDirectories(_root.UploadsFolder))
        {
            if (!IsDatasetId(Path.GetFileName(folder)))
            {
                continue;
            }

            try
            {
                if (Read(folder) is { } dataset)
                {
                    datasets.Add(dataset);
                }
            }
            catch (InvalidProtocolBufferException)
            {
                // Find reports it when a job asks for it; a listing shows what can be used.
            }
        }

        return [.. datasets.OrderBy(d => d.Name, StringComparer.Ordinal).ThenBy(d => d.DatasetId, StringComparer.Ordinal)];
    }

    /// <summary>Whether <paramref name="datasetId"/> has the form of an id this store gives: <c>ds-</c> and 16 lowercase hex digits.</summary>
    public static bool IsDatasetId(string? datasetId) => datasetId is not null && DatasetIdPattern().IsMatch(datasetId);

    [GeneratedRegex("^ds-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatasetIdPattern();

    private static void CheckHeader(UploadDatasetRequest first)
    {
        if (string.IsNullOrWhiteSpace(first.Name))
        {
            throw Invalid("name", "is empty; name the dataset");
        }

        if (first.Name.Length > MaxNameLength)
        {
            throw Invalid("name", $"is {first.Name.Length} characters long; at most {MaxNameLength}");
        }

        if (first.Format is not (DatasetFormat.Csv or DatasetFormat.Parquet or DatasetFormat.Idx))
        {
            throw Invalid("format", $"is {first.Format}; give DATASET_FORMAT_CSV, DATASET_FORMAT_PARQUET or DATASET_FORMAT_IDX");
        }

        if (first.TargetColumns < 0)
        {
            throw Invalid("target_columns", $"is {first.TargetColumns}; give 0 for a class label in the last column, or the number of trailing target columns");
        }

        if (first.Format == DatasetFormat.Idx && first.TargetColumns != 0)
        {
            throw Invalid("target_columns", "applies only to table uploads (CSV, Parquet); an IDX dataset's targets are its labels");
        }

        if (first.Format == DatasetFormat.Idx && first.Table is { } table && !table.Equals(new TableLayout()))
        {
            throw Invalid("table", "applies only to table uploads (CSV, Parquet); an IDX dataset's targets are its labels");
        }

        if (first.File.Length == 0)
        {
            throw Invalid("file", "the first message must name the file its bytes belong to");
        }
    }

    /// <summary>Streams the files into <paramref name="staging"/>, checks the client's SHA-256, and makes the record.</summary>
    private async Task<UploadedDataset> ReceiveFilesAsync(
        IAsyncEnumerator<UploadDatasetRequest> messages, string staging, CancellationToken cancellation)
    {
        var first = messages.Current;
        var upload = new IncomingUpload(staging, first.Format, first.TargetColumns, first.Table, _maxUploadBytes);
        await using (upload.ConfigureAwait(false))
        {
            var message = first;
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                await upload.ReceiveAsync(message, cancellation).ConfigureAwait(false);
                if (!await messages.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                if (message.Sha256.Length > 0)
                {
                    throw Invalid("sha256", "only the last message carries it");
                }

                message = messages.Current;
            }

            if (upload.SizeBytes == 0)
            {
                throw Invalid("data", "empty; the upload sent no bytes");
            }

            var (sha256, identity) = await upload.FinishAsync().ConfigureAwait(false);
            if (message.Sha256.Length == 0)
            {
                throw Invalid("sha256", "missing; the last message must carry the SHA-256 of all bytes sent, in lowercase hex");
            }

            if (message.Sha256 != sha256)
            {
                throw Invalid("sha256", $"'{message.Sha256}' does not match the {upload.SizeBytes} bytes received, whose SHA-256 is {sha256}");
            }

            return new UploadedDataset
            {
                DatasetId = DatasetIdPrefix + Convert.ToHexStringLower(identity)[..IdHexDigits],
                Name = first.Name,
                Format = first.Format,
                TargetColumns = first.TargetColumns,
                Table = first.Table,
                SizeBytes = upload.SizeBytes,
                Sha256 = sha256,
                Files = { upload.Files },
            };
        }
    }

    /// <summary>Loads the staged files as a job would, so that an upload that cannot train is refused now, not at SubmitJob.</summary>
    private async Task CheckLoadsAsync(UploadedDataset dataset, string staging, CancellationToken cancellation)
    {
        var path = dataset.Format == DatasetFormat.Idx ? staging : Path.Combine(staging, dataset.Files[0]);
        try
        {
            var table = TableConverter.TableOptionsFrom(dataset.TargetColumns, dataset.Table);
            await Task.Run(() => DatasetLoader.Load(path, testData: null, table, standardize: false, LoaderSeed), cancellation).ConfigureAwait(false);
        }
        catch (InvalidInputException error)
        {
            // The loader names files by their path; the client knows them by the names it sent.
            var message = error.Message
                .Replace(staging + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)
                .Replace(staging, "the upload", StringComparison.Ordinal)
                .Replace(_root.Path, "the data root", StringComparison.Ordinal);
            throw Invalid("data", message);
        }
    }

    /// <summary>Moves the staging folder to <c>uploads/&lt;dataset_id&gt;/</c>, or drops it when that dataset is stored already.</summary>
    private UploadedDataset Publish(string staging, UploadedDataset dataset)
    {
        var folder = Path.Combine(_root.UploadsFolder, dataset.DatasetId);
        if (ReadOrNull(folder) is { } stored)
        {
            DeleteFolderQuietly(staging);
            return stored;
        }

        // A folder with no readable record is a damaged copy of the same files: this upload replaces it.
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        try
        {
            Directory.Move(staging, folder);
            return dataset;
        }
        catch (IOException) when (ReadOrNull(folder) is { } concurrent)
        {
            // The same files, uploaded at the same time, were published first.
            DeleteFolderQuietly(staging);
            return concurrent;
        }
    }

    private static UploadedDataset? Read(string folder) => AtomicFile.Read(Path.Combine(folder, RecordFileName), UploadedDataset.Parser);

    private static UploadedDataset? ReadOrNull(string folder)
    {
        try
        {
            return Read(folder);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static void DeleteFolderQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which deletes every staging folder.
        }
    }

    private static RequestRejectedException Invalid(string field, string reason) => new(Rejection.InvalidArgument, field, reason);

    private static RequestRejectedException NotFound(string datasetId, string reason) =>
        new(Rejection.NotFound, "dataset.uploaded_id", $"'{datasetId}' {reason}");
}
