using Backprop.Core.Tests.Data;
using Backprop.Server.Storage;

namespace Backprop.Server.Tests.Storage;

public sealed class DataRootLockTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void TryAcquire_FreeRoot_HeldAndDescribesThisProcess()
    {
        var acquired = DataRootLock.TryAcquire(_directory.Path, out var held, out var holder);
        using (held)
        {
            Assert.True(acquired);
            Assert.Null(holder);
            Assert.StartsWith($"pid {Environment.ProcessId} on host {Environment.MachineName}, started ", File.ReadAllText(_directory.File(DataRootLock.HolderFileName)));
        }
    }

    [Fact]
    public void TryAcquire_RootHeldByAnotherHolder_RefusedNamingTheHolder()
    {
        // A second open of the lock file conflicts like a second process: flock(2) locks belong to the open file.
        Assert.True(DataRootLock.TryAcquire(_directory.Path, out var first, out _));
        using (first)
        {
            var acquired = DataRootLock.TryAcquire(_directory.Path, out var second, out var holder);

            Assert.False(acquired);
            Assert.Null(second);
            Assert.StartsWith($"pid {Environment.ProcessId} on host {Environment.MachineName}, started ", holder);
        }
    }

    [Fact]
    public void TryAcquire_AfterTheHolderReleasedIt_Held()
    {
        Assert.True(DataRootLock.TryAcquire(_directory.Path, out var first, out _));
        first.Dispose();

        var acquired = DataRootLock.TryAcquire(_directory.Path, out var second, out _);
        second?.Dispose();

        Assert.True(acquired);
    }

    [Fact]
    public void TryAcquire_RootMissing_CreatesIt()
    {
        var root = _directory.File("volume");

        Assert.True(DataRootLock.TryAcquire(root, out var held, out _));
        held.Dispose();

        Assert.True(File.Exists(Path.Combine(root, DataRootLock.LockFileName)));
    }

    [Fact]
    public void Describe_ProcessHostAndStart_OneLineInUtc()
    {
        var started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        Assert.Equal("pid 123 on host coordinator-1, started 2026-01-02T03:04:05Z", DataRootLock.Describe(123, "coordinator-1", started));
    }
}
