using Backprop.Core.Tests.Data;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;

namespace Backprop.Server.Tests.Storage;

public sealed class DataRootTests : IDisposable
{
    private const string Field = "dataset.path";

    private readonly TempDirectory _directory = new();
    private readonly DataRoot _root;

    public DataRootTests()
    {
        _root = new DataRoot(Path.Combine(_directory.Path, "data"));
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Constructor_NewFolder_CreatesItAndNamesReservedFolders()
    {
        var path = Path.Combine(_directory.Path, "volume");

        var root = new DataRoot(path);

        Assert.True(Directory.Exists(path));
        Assert.Equal(path, root.Path);
        Assert.Equal(Path.Combine(path, "jobs"), root.JobsFolder);
        Assert.Equal(Path.Combine(path, "uploads"), root.UploadsFolder);
    }

    [Theory]
    [InlineData("sets/mnist/train.csv")]
    [InlineData("sets\\mnist\\train.csv")]
    [InlineData("./sets//mnist/train.csv")]
    public void ResolveDatasetPath_NestedFile_ReturnsItsFullPath(string relative)
    {
        var expected = WriteFile("sets/mnist/train.csv");

        Assert.Equal(expected, _root.ResolveDatasetPath(relative, Field));
    }

    [Fact]
    public void ResolveDatasetPath_Directory_ReturnsItsFullPath()
    {
        var expected = Directory.CreateDirectory(Path.Combine(_root.Path, "idx", "digits")).FullName;

        Assert.Equal(expected, _root.ResolveDatasetPath("idx/digits", Field));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("/etc/passwd")]
    [InlineData("\\share\\train.csv")]
    [InlineData("C:\\data\\train.csv")]
    [InlineData("c:/data/train.csv")]
    [InlineData("../train.csv")]
    [InlineData("sets/../train.csv")]
    [InlineData("sets\\..\\..\\train.csv")]
    [InlineData(".")]
    [InlineData("./")]
    [InlineData("jobs/job-1/job.pb")]
    [InlineData("uploads")]
    [InlineData("cluster/members.txt")]
    [InlineData("Uploads/ds-0123456789abcdef/train.csv")]
    [InlineData("train\0.csv")]
    public void ResolveDatasetPath_BadForm_RejectsInvalidArgumentWithoutServerPaths(string relative)
    {
        WriteFile("train.csv");
        WriteFile("jobs/job-1/job.pb");

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath(relative, Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
    }

    [Fact]
    public void ResolveDatasetPath_Missing_RejectsNotFoundNamingTheRelativePath()
    {
        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("sets/absent.csv", Field));

        AssertRejected(rejection, Rejection.NotFound);
        Assert.Equal("no file or directory 'sets/absent.csv' under the data root", rejection.Reason);
    }

    [Fact]
    public void ResolveDatasetPath_FileLinkOutsideRoot_RejectsInvalidArgument()
    {
        var outside = _directory.Write("secret.csv", "1,0\n");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "train.csv"), outside);

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("train.csv", Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
    }

    [Fact]
    public void ResolveDatasetPath_FolderLinkOutsideRoot_RejectsInvalidArgument()
    {
        _directory.Write("secret.csv", "1,0\n");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "sets"), _directory.Path);

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("sets/secret.csv", Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
    }

    [Fact]
    public void ResolveDatasetPath_LinkWhoseDotDotLeavesThroughAnotherLink_RejectsInvalidArgument()
    {
        // Read as text, root/escape -> root/deep/../secret.csv = root/secret.csv; but deep leads to outside/inner,
        // so the link really leads to outside/secret.csv.
        var inner = Directory.CreateDirectory(Path.Combine(_directory.Path, "outside", "inner")).FullName;
        _directory.Write(Path.Combine("outside", "secret.csv"), "1,0\n");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "deep"), inner);
        File.CreateSymbolicLink(Path.Combine(_root.Path, "escape.csv"), "deep/../secret.csv");

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("escape.csv", Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
    }

    [Fact]
    public void ResolveDatasetPath_LinkIntoUploads_RejectsInvalidArgument()
    {
        WriteFile("uploads/ds-0123456789abcdef/train.csv");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "mine"), "uploads/ds-0123456789abcdef");

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("mine/train.csv", Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
    }

    [Fact]
    public void ResolveDatasetPath_LinkWithinRoot_ReturnsThePathAsWritten()
    {
        WriteFile("sets/v2/train.csv");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "latest"), "sets/v2");

        Assert.Equal(Path.Combine(_root.Path, "latest", "train.csv"), _root.ResolveDatasetPath("latest/train.csv", Field));
    }

    [Fact]
    public void ResolveDatasetPath_RootReachedThroughLink_AcceptsFilesUnderIt()
    {
        WriteFile("train.csv");
        var alias = Path.Combine(_directory.Path, "alias");
        Directory.CreateSymbolicLink(alias, _root.Path);
        var root = new DataRoot(alias);

        Assert.Equal(Path.Combine(alias, "train.csv"), root.ResolveDatasetPath("train.csv", Field));
    }

    [Fact]
    public void ResolveDatasetPath_LinkLoop_RejectsInvalidArgument()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "b"), "a");

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("a", Field));

        AssertRejected(rejection, Rejection.InvalidArgument);
        Assert.Contains("symbolic links", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveDatasetPath_DanglingLink_RejectsNotFound()
    {
        File.CreateSymbolicLink(Path.Combine(_root.Path, "train.csv"), "gone.csv");

        var rejection = Assert.Throws<RequestRejectedException>(() => _root.ResolveDatasetPath("train.csv", Field));

        AssertRejected(rejection, Rejection.NotFound);
    }

    private string WriteFile(string relative)
    {
        var path = Path.Combine([_root.Path, .. relative.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "1,0\n");
        return path;
    }

    private void AssertRejected(RequestRejectedException rejection, Rejection kind)
    {
        Assert.Equal(kind, rejection.Kind);
        Assert.Equal(Field, rejection.Field);
        Assert.DoesNotContain(_directory.Path, rejection.Message, StringComparison.Ordinal);
    }
}
