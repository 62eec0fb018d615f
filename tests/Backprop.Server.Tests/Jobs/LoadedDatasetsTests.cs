using Backprop.Core.Data;
using Backprop.Server.Jobs;

namespace Backprop.Server.Tests.Jobs;

public sealed class LoadedDatasetsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("backprop-loaded-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void GetOrLoad_SameKeyWhileHeld_LoadsOnceAndSharesTheSplit()
    {
        var loaded = new LoadedDatasets();
        var loads = 0;

        var first = loaded.GetOrLoad("xor|1", () => { loads++; return XorDataset.Load(); });
        var second = loaded.GetOrLoad("xor|1", () => { loads++; return XorDataset.Load(); });

        Assert.Same(first, second);
        Assert.Equal(1, loads);
    }

    [Fact]
    public void GetOrLoad_OtherKey_LoadsAgain()
    {
        var loaded = new LoadedDatasets();
        var first = loaded.GetOrLoad("xor|1", XorDataset.Load);

        var other = loaded.GetOrLoad("xor|2", XorDataset.Load);

        Assert.NotSame(first, other);
    }

    [Fact]
    public void VersionOf_FileReplacedWithOtherContents_Changes()
    {
        var path = Path.Combine(_folder, "data.csv");
        File.WriteAllText(path, "0,0,0\n");
        var before = LoadedDatasets.VersionOf(path);

        File.WriteAllText(path, "0,0,0\n1,1,0\n");

        Assert.NotEqual(before, LoadedDatasets.VersionOf(path));
    }

    [Fact]
    public void VersionOf_DirectoryGainsAFile_Changes()
    {
        File.WriteAllText(Path.Combine(_folder, "a"), "1");
        var before = LoadedDatasets.VersionOf(_folder);

        File.WriteAllText(Path.Combine(_folder, "b"), "2");

        Assert.NotEqual(before, LoadedDatasets.VersionOf(_folder));
    }

    [Fact]
    public void VersionOf_BuiltInName_IsEmpty() => Assert.Equal("", LoadedDatasets.VersionOf("mnist"));
}
