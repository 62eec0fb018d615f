using Akka.Actor;
using Backprop.Server.Storage;

namespace Backprop.Server.Tests.Storage;

public sealed class ClusterMemberFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("backprop-members-").FullName;

    [Fact]
    public void Read_NoFile_IsEmpty() =>
        Assert.Empty(new ClusterMemberFile(_root).Read(problem => Assert.Fail(problem)));

    [Fact]
    public void Write_ThenRead_GivesTheAddressesBack()
    {
        var file = new ClusterMemberFile(_root);
        Address[] members = [Address.Parse("akka.tcp://backprop@10.0.0.7:4053"), Address.Parse("akka.tcp://backprop@3f2a9c1b7d2e:4053")];

        file.Write(members);

        Assert.Equal(members.OrderBy(m => m.ToString(), StringComparer.Ordinal), file.Read(problem => Assert.Fail(problem)));
        Assert.StartsWith(Path.Combine(_root, DataRoot.ClusterFolderName), file.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ALineThatIsNoAddress_SkipsItAndReportsIt()
    {
        var file = new ClusterMemberFile(_root);
        file.Write([Address.Parse("akka.tcp://backprop@10.0.0.7:4053")]);
        File.AppendAllText(file.Path, "not an address\n");
        var problems = new List<string>();

        var members = file.Read(problems.Add);

        Assert.Equal([Address.Parse("akka.tcp://backprop@10.0.0.7:4053")], members);
        Assert.Contains("'not an address' is not a cluster address", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AnEmptyList_LeavesAFileWithNoAddresses()
    {
        var file = new ClusterMemberFile(_root);
        file.Write([Address.Parse("akka.tcp://backprop@10.0.0.7:4053")]);

        file.Write([]);

        Assert.Empty(file.Read(problem => Assert.Fail(problem)));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
