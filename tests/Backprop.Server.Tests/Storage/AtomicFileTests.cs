using Backprop.Core.Tests.Data;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;

namespace Backprop.Server.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Write_Message_ReadReturnsIt()
    {
        var path = _directory.File("job.pb");
        var record = new JobRecord { JobId = "job-1", Status = new JobStatus { Name = "mnist", SubmittedUnixMs = 42 } };

        AtomicFile.Write(path, record);

        Assert.Equal(record, AtomicFile.Read(path, JobRecord.Parser));
    }

    [Fact]
    public void Write_ExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        var path = _directory.Write("data.bin", [1, 2, 3, 4, 5]);

        AtomicFile.Write(path, [9, 8]);

        Assert.Equal([9, 8], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void Write_MissingFolder_ThrowsAndLeavesNothing()
    {
        var path = Path.Combine(_directory.Path, "missing", "job.pb");

        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, new JobRecord { JobId = "job-1" }));

        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Write_TargetIsAFolder_ThrowsAndRemovesTemporaryFile()
    {
        var path = _directory.File("taken");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, [1, 2, 3]));

        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Read_MissingFile_ReturnsNull()
    {
        Assert.Null(AtomicFile.Read(_directory.File("absent.pb"), JobRecord.Parser));
        Assert.Null(AtomicFile.Read(Path.Combine(_directory.Path, "absent", "job.pb"), JobRecord.Parser));
    }
}
