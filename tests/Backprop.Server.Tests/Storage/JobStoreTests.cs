using Backprop.Core.Tests.Data;
using Backprop.Protocol.V1;
using Backprop.Core.Serialization;
using Backprop.Server.Storage;
using Google.Protobuf;

namespace Backprop.Server.Tests.Storage;

public sealed class JobStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly DataRoot _root;
    private readonly List<string> _corrupt = [];
    private readonly JobStore _store;

    public JobStoreTests()
    {
        _root = new DataRoot(_directory.Path);
        _store = new JobStore(_root, _corrupt.Add);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void LoadAll_NothingSaved_IsEmpty()
    {
        Assert.Empty(_store.LoadAll());
    }

    [Fact]
    public void LoadAll_SavedRecords_OrderedBySubmittedTimeThenJobId()
    {
        _store.Save(Record("job-c", submittedUnixMs: 200));
        _store.Save(Record("job-b", submittedUnixMs: 100));
        _store.Save(Record("job-a", submittedUnixMs: 200));

        var loaded = _store.LoadAll();

        Assert.Equal(["job-b", "job-a", "job-c"], loaded.Select(r => r.JobId));
        Assert.Equal(Record("job-b", submittedUnixMs: 100), loaded[0]);
        Assert.Empty(_corrupt);
    }

    [Fact]
    public void Save_SameJobTwice_LoadAllReturnsTheLatest()
    {
        _store.Save(Record("job-1", submittedUnixMs: 1));
        var running = Record("job-1", submittedUnixMs: 1);
        running.Status.State = JobState.Running;

        _store.Save(running);

        Assert.Equal([running], _store.LoadAll());
        Assert.Equal([Path.Combine(_root.JobsFolder, "job-1", "job.pb")], Directory.GetFiles(_root.JobsFolder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void LoadAll_CorruptRecord_SkipsItReportsTheFileAndLoadsTheOthers()
    {
        _store.Save(Record("job-1", submittedUnixMs: 1));
        _store.Save(Record("job-3", submittedUnixMs: 3));
        var damaged = Path.Combine(_root.JobsFolder, "job-2", JobStore.RecordFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(damaged)!);
        File.WriteAllBytes(damaged, [0x0A, 0xFF]);

        var loaded = _store.LoadAll();

        Assert.Equal(["job-1", "job-3"], loaded.Select(r => r.JobId));
        Assert.Contains(damaged, Assert.Single(_corrupt), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_RecordInAnotherJobsFolder_SkipsAndReportsIt()
    {
        var misplaced = Path.Combine(_root.JobsFolder, "job-2", JobStore.RecordFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(misplaced)!);
        File.WriteAllBytes(misplaced, Record("job-1", submittedUnixMs: 1).ToByteArray());

        Assert.Empty(_store.LoadAll());
        Assert.Contains(misplaced, Assert.Single(_corrupt), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_LeftoverTemporaryFileAndEmptyFolder_Ignored()
    {
        _store.Save(Record("job-1", submittedUnixMs: 1));
        File.WriteAllBytes(Path.Combine(_root.JobsFolder, "job-1", $".job.pb.0123{AtomicFileWriter.TemporarySuffix}"), [0x0A]);
        Directory.CreateDirectory(Path.Combine(_root.JobsFolder, "job-2"));

        Assert.Equal(["job-1"], _store.LoadAll().Select(r => r.JobId));
        Assert.Empty(_corrupt);
    }

    [Fact]
    public void SaveModel_ThenLoadModel_ReturnsTheModel()
    {
        var model = new Model
        {
            Spec = new NetworkSpec { InputSize = 2 },
            Parameters = ByteString.CopyFrom(1, 2, 3, 4),
        };

        _store.SaveModel("job-1", model);

        Assert.Equal(model, _store.LoadModel("job-1"));
    }

    [Fact]
    public void LoadModel_NoModelSaved_ReturnsNull()
    {
        _store.Save(Record("job-1", submittedUnixMs: 1));

        Assert.Null(_store.LoadModel("job-1"));
        Assert.Null(_store.LoadModel("job-2"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("job 1")]
    [InlineData("job.1")]
    [InlineData("ünïcode")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Save_JobIdThatCannotNameAFolder_ThrowsArgumentExceptionAndWritesNothing(string jobId)
    {
        Assert.Throws<ArgumentException>(() => _store.Save(Record(jobId, submittedUnixMs: 1)));
        Assert.Throws<ArgumentException>(() => _store.SaveModel(jobId, new Model()));
        Assert.Throws<ArgumentException>(() => _store.LoadModel(jobId));

        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void IsValidJobId_LongestAllowed_IsValid()
    {
        Assert.True(JobStore.IsValidJobId(new string('a', JobStore.MaxJobIdLength)));
        Assert.True(JobStore.IsValidJobId("Job_2024-01"));
    }

    private static JobRecord Record(string jobId, long submittedUnixMs) => new()
    {
        JobId = jobId,
        Request = new SubmitJobRequest { Name = $"{jobId} request" },
        Status = new JobStatus { JobId = jobId, State = JobState.Queued, SubmittedUnixMs = submittedUnixMs },
    };
}
