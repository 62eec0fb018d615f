using System.Security.Cryptography;
using Backprop.Cli.Remote;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Tests.Remote;

public class UploadCommandTests
{
    [Fact]
    public void Upload_CsvLargerThanAChunk_SendsChunksInOrderWithTheHashOnTheLast()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var bytes = new byte[(2 * DatasetUpload.ChunkBytes) + 123];
        new Random(3).NextBytes(bytes);
        var path = dir.File("train.csv", bytes);

        var run = server.Run("upload", path, "--targets", "2");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"dataset ds-1 uploaded ({bytes.Length} bytes)", run.Output.Trim());
        var messages = server.Trainer.Requests.OfType<UploadDatasetRequest>().ToList();
        Assert.Equal([DatasetUpload.ChunkBytes, DatasetUpload.ChunkBytes, 123], messages.Select(m => m.Data.Length));
        Assert.Equal(("train.csv", DatasetFormat.Csv, 2, "train.csv"), (messages[0].Name, messages[0].Format, messages[0].TargetColumns, messages[0].File));
        Assert.All(messages.Skip(1), m => Assert.Equal((string.Empty, string.Empty), (m.Name, m.File)));
        Assert.Equal(bytes, messages.SelectMany(m => m.Data.ToByteArray()).ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), messages[^1].Sha256);
        Assert.All(messages.SkipLast(1), m => Assert.Empty(m.Sha256));
    }

    [Fact]
    public void Upload_IdxDirectory_SendsEveryFileByNameWithOneHashOverAll()
    {
        using var server = new FakeTrainerServer();
        using var dir = new TempDirectory();
        var idx = Directory.CreateDirectory(Path.Combine(dir.Path, "digits")).FullName;
        byte[] labels = [0, 0, 8, 1, 0, 0, 0, 2, 7, 3];
        var images = new byte[DatasetUpload.ChunkBytes + 10];
        new Random(4).NextBytes(images);
        File.WriteAllBytes(Path.Combine(idx, "train-labels-idx1-ubyte"), labels);
        File.WriteAllBytes(Path.Combine(idx, "train-images-idx3-ubyte"), images);

        var run = server.Run("upload", idx, "--name", "my-digits");

        Assert.Equal(0, run.ExitCode);
        var messages = server.Trainer.Requests.OfType<UploadDatasetRequest>().ToList();
        Assert.Equal(
            [("train-images-idx3-ubyte", DatasetUpload.ChunkBytes), (string.Empty, 10), ("train-labels-idx1-ubyte", labels.Length)],
            messages.Select(m => (m.File, m.Data.Length)));
        Assert.Equal(("my-digits", DatasetFormat.Idx), (messages[0].Name, messages[0].Format));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([.. images, .. labels])), messages[^1].Sha256);
    }

    [Fact]
    public void Upload_MissingPath_IsBadInput()
    {
        using var server = new FakeTrainerServer();

        server.Run("upload", "/no/such/data.csv").AssertBadInput("/no/such/data.csv");
    }
}
