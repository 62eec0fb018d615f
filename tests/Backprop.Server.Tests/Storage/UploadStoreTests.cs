using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Backprop.Core.Data;
using Backprop.Core.Data.Tables;
using Backprop.Core.Tests.Data;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;
using Google.Protobuf;

namespace Backprop.Server.Tests.Storage;

public sealed class UploadStoreTests : IDisposable
{
    private const long MaxUploadBytes = 4096;

    private static readonly byte[] Csv = Encoding.UTF8.GetBytes("x,y,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");

    private readonly TempDirectory _directory = new();
    private readonly DataRoot _root;
    private readonly UploadStore _store;

    public UploadStoreTests()
    {
        _root = new DataRoot(_directory.Path);
        _store = new UploadStore(_root, MaxUploadBytes);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ReceiveAsync_CsvInSeveralMessages_StoresTheFileAndItsRecord()
    {
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 7);

        var dataset = await _store.ReceiveAsync(Stream(messages), CancellationToken.None);

        Assert.Matches("^ds-[0-9a-f]{16}$", dataset.DatasetId);
        Assert.Equal("xor", dataset.Name);
        Assert.Equal(DatasetFormat.Csv, dataset.Format);
        Assert.Equal(Csv.Length, dataset.SizeBytes);
        Assert.Equal(Sha256(Csv), dataset.Sha256);
        Assert.Equal(["xor.csv"], dataset.Files);
        Assert.Equal(Csv, File.ReadAllBytes(_store.DataPathOf(dataset)));
        Assert.Equal(dataset, _store.Find(dataset.DatasetId));
        Assert.Equal([dataset], _store.List());
        Assert.Equal([dataset.DatasetId], UploadFolders());
    }

    [Fact]
    public async Task ReceiveAsync_CsvWithTargetColumns_LoadsWithThem()
    {
        var regression = Encoding.UTF8.GetBytes("1,2,0.5,0.25\n3,4,0.75,1\n");

        var dataset = await _store.ReceiveAsync(
            Stream(Upload("pairs", DatasetFormat.Csv, [("pairs.csv", regression)], targetColumns: 2)), CancellationToken.None);

        Assert.Equal(2, dataset.TargetColumns);
        var split = DatasetLoader.Load(_store.DataPathOf(dataset), testData: null, new TableOptions { TargetCount = dataset.TargetColumns }, standardize: false, seed: 1);
        Assert.Equal(2, split.Train.TargetSize);
    }

    [Fact]
    public async Task ReceiveAsync_ParquetWithLabelColumn_StoresAFileTheLoaderReadsAsUploaded()
    {
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<string>("kind"), new Parquet.Schema.DataField<float>("x"));
        using var bytes = new MemoryStream();
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(schema, bytes))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(schema.DataFields[0], ["b", "a", "b"]);
            await group.WriteAsync(schema.DataFields[1], new ReadOnlyMemory<float>([1f, 2f, 3f]));
        }

        var messages = Upload("kinds", DatasetFormat.Parquet, [("kinds.parquet", bytes.ToArray())]);
        messages[0].Table = new TableLayout { LabelColumn = "kind" };

        var dataset = await _store.ReceiveAsync(Stream(messages), CancellationToken.None);

        Assert.Equal("kind", dataset.Table.LabelColumn);
        var table = Protocol.TableConverter.TableOptionsFrom(dataset.TargetColumns, dataset.Table);
        var split = DatasetLoader.Load(_store.DataPathOf(dataset), testData: null, table, standardize: false, seed: 1);
        Assert.Equal(["a", "b"], split.Train.LabelNames);
        Assert.Equal([1f, 2f, 3f], split.Train.Features);
    }

    [Fact]
    public async Task ReceiveAsync_IdxFiles_StoresADirectoryTheLoaderReads()
    {
        var images = IdxBytes.Images(count: 3, rows: 2, columns: 2, IdxBytes.RandomPixels(12, seed: 5));
        var labels = IdxBytes.Labels(0, 2, 1);
        var messages = Upload(
            "tiny digits", DatasetFormat.Idx,
            [(IdxDirectory.TrainImages, images), (IdxDirectory.TrainLabels, labels)], chunkBytes: 5);

        var dataset = await _store.ReceiveAsync(Stream(messages), CancellationToken.None);

        Assert.Equal([IdxDirectory.TrainImages, IdxDirectory.TrainLabels], dataset.Files);
        Assert.Equal(images.Length + labels.Length, dataset.SizeBytes);
        Assert.Equal(Sha256([.. images, .. labels]), dataset.Sha256);
        var path = _store.DataPathOf(dataset);
        Assert.Equal(Path.Combine(_root.UploadsFolder, dataset.DatasetId), path);
        var split = DatasetLoader.Load(path, testData: null, TableOptions.Default, standardize: false, seed: 1);
        Assert.Equal(3, split.Train.Count);
        Assert.Equal(3, split.Train.TargetSize);
    }

    [Fact]
    public async Task ReceiveAsync_SameUploadTwice_ReturnsTheSameIdAndKeepsOneCopy()
    {
        var first = await _store.ReceiveAsync(Stream(Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)])), CancellationToken.None);

        var second = await _store.ReceiveAsync(
            Stream(Upload("xor again", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 3)), CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal([first.DatasetId], UploadFolders());
    }

    [Fact]
    public async Task ReceiveAsync_SameBytesOtherTargetColumns_IsAnotherDataset()
    {
        var numbers = Encoding.UTF8.GetBytes("1,2,0\n3,4,1\n");
        var labelled = await _store.ReceiveAsync(Stream(Upload("a", DatasetFormat.Csv, [("a.csv", numbers)])), CancellationToken.None);

        var regression = await _store.ReceiveAsync(
            Stream(Upload("a", DatasetFormat.Csv, [("a.csv", numbers)], targetColumns: 1)), CancellationToken.None);

        Assert.NotEqual(labelled.DatasetId, regression.DatasetId);
        Assert.Equal(2, UploadFolders().Length);
    }

    [Fact]
    public async Task ReceiveAsync_WrongSha256_RejectsSha256AndKeepsNothing()
    {
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 10);
        messages[^1].Sha256 = Sha256([1, 2, 3]);

        await AssertRejected(messages, Rejection.InvalidArgument, "sha256");

        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public async Task ReceiveAsync_NoSha256_RejectsSha256()
    {
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)]);
        messages[^1].Sha256 = "";

        await AssertRejected(messages, Rejection.InvalidArgument, "sha256");
    }

    [Fact]
    public async Task ReceiveAsync_Sha256BeforeTheLastMessage_RejectsSha256()
    {
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 10);
        messages[0].Sha256 = Sha256(Csv);

        var rejection = await AssertRejected(messages, Rejection.InvalidArgument, "sha256");

        Assert.Equal("only the last message carries it", rejection.Reason);
    }

    [Fact]
    public async Task ReceiveAsync_OverTheSizeLimit_RejectsResourceExhaustedAndStopsReading()
    {
        var large = new byte[3 * MaxUploadBytes];
        var messages = Upload("big", DatasetFormat.Csv, [("big.csv", large)], chunkBytes: 1024);
        var read = 0;

        var rejection = await Assert.ThrowsAsync<RequestRejectedException>(
            () => _store.ReceiveAsync(Stream(messages, onRead: () => read++), CancellationToken.None));

        Assert.Equal(Rejection.ResourceExhausted, rejection.Kind);
        Assert.Equal("data", rejection.Field);
        Assert.Contains($"{MaxUploadBytes} bytes", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("Trainer:MaxUploadBytes", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(MaxUploadBytes / 1024 + 1, read);
        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public async Task ReceiveAsync_UnparseableCsv_RejectsDataNamingTheFileNotTheServerPath()
    {
        var messages = Upload("broken", DatasetFormat.Csv, [("broken.csv", Encoding.UTF8.GetBytes("1,2,0\n3,abc,1\n"))]);

        var rejection = await AssertRejected(messages, Rejection.InvalidArgument, "data");

        Assert.StartsWith("broken.csv: line 2", rejection.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public async Task ReceiveAsync_IdxWithoutLabels_RejectsDataWithoutTheServerPath()
    {
        var images = IdxBytes.Images(count: 1, rows: 1, columns: 1, [7]);

        var rejection = await AssertRejected(
            Upload("half", DatasetFormat.Idx, [(IdxDirectory.TrainImages, images)]), Rejection.InvalidArgument, "data");

        Assert.Contains(IdxDirectory.TrainLabels, rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiveAsync_EmptyStream_RejectsName()
    {
        var rejection = await AssertRejected([], Rejection.InvalidArgument, "name");

        Assert.Equal("the upload stream was empty", rejection.Reason);
    }

    [Fact]
    public async Task ReceiveAsync_NoBytes_RejectsData()
    {
        var messages = Upload("nothing", DatasetFormat.Csv, [("empty.csv", [])]);

        await AssertRejected(messages, Rejection.InvalidArgument, "data");
        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Theory]
    [InlineData("", DatasetFormat.Csv, 0, "xor.csv", "name")]
    [InlineData("xor", DatasetFormat.Unspecified, 0, "xor.csv", "format")]
    [InlineData("xor", (DatasetFormat)9, 0, "xor.csv", "format")]
    [InlineData("xor", DatasetFormat.Csv, -1, "xor.csv", "target_columns")]
    [InlineData("xor", DatasetFormat.Idx, 1, "xor.csv", "target_columns")]
    [InlineData("xor", DatasetFormat.Csv, 0, "", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, "../xor.csv", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, "sets/xor.csv", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, "sets\\xor.csv", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, ".xor.csv", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, "..", "file")]
    [InlineData("xor", DatasetFormat.Csv, 0, UploadStore.RecordFileName, "file")]
    public async Task ReceiveAsync_BadFirstMessage_RejectsTheField(string name, DatasetFormat format, int targetColumns, string file, string field)
    {
        var messages = Upload(name, format, [(file, Csv)], targetColumns: targetColumns);

        await AssertRejected(messages, Rejection.InvalidArgument, field);
        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public async Task ReceiveAsync_NameOrFileNameTooLong_RejectsIt()
    {
        await AssertRejected(Upload(new string('n', 201), DatasetFormat.Csv, [("xor.csv", Csv)]), Rejection.InvalidArgument, "name");
        await AssertRejected(Upload("xor", DatasetFormat.Csv, [(new string('f', 101), Csv)]), Rejection.InvalidArgument, "file");
    }

    [Fact]
    public async Task ReceiveAsync_CsvOfTwoFiles_RejectsFile()
    {
        var messages = Upload("two", DatasetFormat.Csv, [("a.csv", Csv), ("b.csv", Csv)]);

        await AssertRejected(messages, Rejection.InvalidArgument, "file");
        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public async Task ReceiveAsync_IdxFileSentTwice_RejectsFile()
    {
        var labels = IdxBytes.Labels(0, 1);
        var messages = Upload(
            "twice", DatasetFormat.Idx,
            [(IdxDirectory.TrainLabels, labels), (IdxDirectory.TrainImages, IdxBytes.Images(2, 1, 1, [1, 2])), (IdxDirectory.TrainLabels, labels)]);

        var rejection = await AssertRejected(messages, Rejection.InvalidArgument, "file");

        Assert.Equal($"'{IdxDirectory.TrainLabels}' sent twice; send each file's bytes in one run of messages", rejection.Reason);
    }

    [Fact]
    public async Task ReceiveAsync_FileNameRepeatedOnEveryMessage_ContinuesTheFile()
    {
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 8);
        foreach (var message in messages)
        {
            message.File = "xor.csv";
        }

        var dataset = await _store.ReceiveAsync(Stream(messages), CancellationToken.None);

        Assert.Equal(["xor.csv"], dataset.Files);
    }

    [Fact]
    public async Task ReceiveAsync_Cancelled_ThrowsAndKeepsNothing()
    {
        using var cancellation = new CancellationTokenSource();
        var messages = Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)], chunkBytes: 8);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _store.ReceiveAsync(Stream(messages, onRead: cancellation.Cancel), cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_root.UploadsFolder));
    }

    [Fact]
    public void Constructor_StagingFolderLeftByACrash_DeletesIt()
    {
        var stale = Directory.CreateDirectory(Path.Combine(_root.UploadsFolder, ".incoming-0123", "x")).Parent!.FullName;

        _ = new UploadStore(_root, MaxUploadBytes);

        Assert.False(Directory.Exists(stale));
    }

    [Theory]
    [InlineData("ds-0123456789abcdef")]
    [InlineData("ds-0123456789ABCDEF")]
    [InlineData("../jobs")]
    [InlineData("")]
    public void Find_UnknownOrMalformedId_RejectsNotFound(string datasetId)
    {
        var rejection = Assert.Throws<RequestRejectedException>(() => _store.Find(datasetId));

        Assert.Equal(Rejection.NotFound, rejection.Kind);
        Assert.Equal("dataset.uploaded_id", rejection.Field);
    }

    [Fact]
    public async Task Find_DamagedRecord_RejectsNotFoundAndListLeavesItOut()
    {
        var dataset = await _store.ReceiveAsync(Stream(Upload("xor", DatasetFormat.Csv, [("xor.csv", Csv)])), CancellationToken.None);
        File.WriteAllBytes(Path.Combine(_root.UploadsFolder, dataset.DatasetId, UploadStore.RecordFileName), [0x0A, 0xFF]);

        var rejection = Assert.Throws<RequestRejectedException>(() => _store.Find(dataset.DatasetId));

        Assert.Equal(Rejection.NotFound, rejection.Kind);
        Assert.Empty(_store.List());
    }

    private string[] UploadFolders() =>
        [.. Directory.GetDirectories(_root.UploadsFolder).Select(folder => Path.GetFileName(folder)!)];

    private async Task<RequestRejectedException> AssertRejected(UploadDatasetRequest[] messages, Rejection kind, string field)
    {
        var rejection = await Assert.ThrowsAsync<RequestRejectedException>(
            () => _store.ReceiveAsync(Stream(messages), CancellationToken.None));
        Assert.Equal(kind, rejection.Kind);
        Assert.Equal(field, rejection.Field);
        Assert.DoesNotContain(_directory.Path, rejection.Message, StringComparison.Ordinal);
        return rejection;
    }

    /// <summary>
    /// The messages of one upload: the header on the first, each file's bytes in chunks with its name on the first
    /// chunk, and the SHA-256 of all bytes on the last.
    /// </summary>
    private static UploadDatasetRequest[] Upload(
        string name, DatasetFormat format, (string Name, byte[] Bytes)[] files, int targetColumns = 0, int chunkBytes = 1 << 20)
    {
        var messages = new List<UploadDatasetRequest>();
        foreach (var (fileName, bytes) in files)
        {
            var offset = 0;
            do
            {
                var length = Math.Min(chunkBytes, bytes.Length - offset);
                messages.Add(new UploadDatasetRequest
                {
                    File = offset == 0 ? fileName : "",
                    Data = ByteString.CopyFrom(bytes, offset, length),
                });
                offset += length;
            }
            while (offset < bytes.Length);
        }

        messages[0].Name = name;
        messages[0].Format = format;
        messages[0].TargetColumns = targetColumns;
        messages[^1].Sha256 = Sha256([.. files.SelectMany(f => f.Bytes)]);
        return [.. messages];
    }

    private static async IAsyncEnumerable<UploadDatasetRequest> Stream(
        UploadDatasetRequest[] messages, Action? onRead = null, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        foreach (var message in messages)
        {
            await Task.Yield();
            cancellation.ThrowIfCancellationRequested();
            onRead?.Invoke();
            yield return message;
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
