using System.Text;
using Akka.Actor;

namespace Backprop.Server.Storage;

/// <summary>
/// The addresses of the other members of the cluster a coordinator was last in, one per line, kept on its data volume
/// (<c>cluster/members.txt</c> under <see cref="DataRoot"/>). A coordinator that restarts tries them first
/// (<see cref="Cluster.Hosting.ClusterHostingExtensions.AddBackpropCluster"/>), so it rejoins the workers that kept
/// the cluster going instead of forming a cluster of its own that they would never join.
/// </summary>
public sealed class ClusterMemberFile
{
    /// <summary>Name of the file in the data root's cluster folder.</summary>
    public const string FileName = "members.txt";

    private const string Header = "# Members of the cluster this coordinator was last in; it tries them first when it starts again.";

    /// <summary>The file of the data root at <paramref name="dataRoot"/> (nothing is read or created yet).</summary>
    public ClusterMemberFile(string dataRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataRoot);
        Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataRoot), DataRoot.ClusterFolderName, FileName);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>
    /// The addresses stored; none when there is no file. A line that is not an address is skipped and reported to
    /// <paramref name="problem"/>: a damaged file costs the fast rejoin, never the start.
    /// </summary>
    public IReadOnlyList<Address> Read(Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        var addresses = new List<Address>();
        foreach (var line in lines.Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')))
        {
            if (Address.TryParse(line, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                problem($"{Path}: '{line}' is not a cluster address; skipped");
            }
        }

        return addresses;
    }

    /// <summary>Replaces the file with <paramref name="addresses"/> (atomically: a crash leaves the old list or the new one).</summary>
    public void Write(IEnumerable<Address> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var text = string.Join('\n', [Header, .. addresses.Select(address => address.ToString()).Order(StringComparer.Ordinal)]) + "\n";
        AtomicFile.Write(Path, Encoding.UTF8.GetBytes(text));
    }
}
