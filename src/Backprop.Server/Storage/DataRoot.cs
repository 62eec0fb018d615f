using Backprop.Server.Trainer;

namespace Backprop.Server.Storage;

/// <summary>
/// The coordinator's data volume (<see cref="TrainerOptions.DataRoot"/>): datasets that jobs name by a path
/// relative to it, and the folders the server keeps for itself, <c>jobs/</c>, <c>uploads/</c> and <c>cluster/</c>.
/// </summary>
public sealed class DataRoot
{
    /// <summary>Name of the folder of job records, under the root.</summary>
    public const string JobsFolderName = "jobs";

    /// <summary>Name of the folder of uploaded datasets, under the root.</summary>
    public const string UploadsFolderName = "uploads";

    /// <summary>Name of the folder of the coordinator's cluster state (<see cref="ClusterMemberFile"/>), under the root.</summary>
    public const string ClusterFolderName = "cluster";

    // Longest chain of symbolic links followed while resolving one path (Linux's MAXSYMLINKS); a longer
    // chain is a loop.
    private const int MaxLinksFollowed = 40;

    // A client may write either separator; the server's own paths (and link targets) use the platform's.
    private static readonly char[] Separators = ['/', '\\'];

    private static readonly char[] PlatformSeparators = [System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar];

    private static readonly string[] ReservedFolders = [JobsFolderName, UploadsFolderName, ClusterFolderName];

    /// <summary>Opens the data root at <paramref name="root"/> (relative to the working directory), creating the folder.</summary>
    public DataRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Path = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(Path);
        JobsFolder = System.IO.Path.Combine(Path, JobsFolderName);
        UploadsFolder = System.IO.Path.Combine(Path, UploadsFolderName);
    }

    /// <summary>Full path of the root folder.</summary>
    public string Path { get; }

    /// <summary>Full path of <c>jobs/</c>, where <see cref="JobStore"/> keeps job records and models.</summary>
    public string JobsFolder { get; }

    /// <summary>Full path of <c>uploads/</c>, where <see cref="UploadStore"/> keeps uploaded datasets.</summary>
    public string UploadsFolder { get; }

    /// <summary>
    /// The full path of the CSV file or IDX directory that a request names by <paramref name="relative"/>, a path
    /// under the root with '/' or '\' between folders.
    /// </summary>
    /// <param name="relative">The path as the client sent it.</param>
    /// <param name="field">The request field it came in, named in the rejection.</param>
    /// <remarks>
    /// Refused are: an empty path, an absolute one (<c>/x</c>, <c>\x</c>, <c>C:\x</c>), any <c>..</c> segment, a path
    /// into <c>jobs/</c>, <c>uploads/</c> or <c>cluster/</c>, and a path whose symbolic links lead outside the root or into those
    /// folders. Rejection messages quote <paramref name="relative"/>, never the server's own paths.
    /// </remarks>
    /// <exception cref="RequestRejectedException">
    /// <see cref="Rejection.InvalidArgument"/> for a path of the forms above; <see cref="Rejection.NotFound"/> when
    /// nothing exists there.
    /// </exception>
    public string ResolveDatasetPath(string relative, string field)
    {
        ArgumentNullException.ThrowIfNull(relative);
        ArgumentNullException.ThrowIfNull(field);
        var segments = CheckedSegments(relative, field);
        var path = System.IO.Path.Combine([Path, .. segments]);
        if (!Exists(path))
        {
            throw NotFound(relative, field);
        }

        // The checks above hold for the path as written; these hold them for where its links really lead.
        var real = RealPath(path, relative, field);
        if (!Exists(real))
        {
            // A dangling link: .NET counts the link itself as an existing file.
            throw NotFound(relative, field);
        }

        var root = RealPath(Path, relative, field);
        if (!IsUnder(real, root, out var inside))
        {
            throw Invalid(field, $"'{relative}' leads outside the data root through a symbolic link");
        }

        if (IsReserved(inside))
        {
            throw Invalid(field, $"'{relative}' leads into a folder the server keeps for itself ({Reserved}) through a symbolic link");
        }

        return path;
    }

    private static string Reserved => string.Join(" and ", ReservedFolders.Select(name => $"{name}/"));

    private static string[] CheckedSegments(string relative, string field)
    {
        if (string.IsNullOrWhiteSpace(relative))
        {
            throw Invalid(field, "is empty; give a CSV file or IDX directory relative to the data root");
        }

        if (relative[0] is '/' or '\\' || (relative.Length >= 2 && char.IsAsciiLetter(relative[0]) && relative[1] == ':')
            || System.IO.Path.IsPathRooted(relative))
        {
            throw Invalid(field, $"'{relative}' is an absolute path; give a path relative to the data root");
        }

        if (relative.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            throw Invalid(field, $"'{relative}' contains a character that paths cannot hold");
        }

        var segments = relative.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            throw Invalid(field, $"'{relative}' contains a '..' segment; give a path that stays under the data root");
        }

        if (segments.Length == 0)
        {
            throw Invalid(field, $"'{relative}' names the data root itself; give a CSV file or IDX directory under it");
        }

        if (IsReserved(segments))
        {
            throw Invalid(field, $"'{relative}' is inside a folder the server keeps for itself ({Reserved})");
        }

        return segments;
    }

    // Case-insensitive: on a case-insensitive file system "Jobs/" is the same folder.
    private static bool IsReserved(IReadOnlyList<string> segments) =>
        segments.Count > 0 && ReservedFolders.Contains(segments[0], StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it; <paramref name="inside"/> is the path's segments below the root.</summary>
    private static bool IsUnder(string path, string root, out string[] inside)
    {
        inside = [];
        var relative = System.IO.Path.GetRelativePath(root, path);
        if (relative == ".")
        {
            return true;
        }

        inside = relative.Split(PlatformSeparators, StringSplitOptions.RemoveEmptyEntries);
        return !System.IO.Path.IsPathRooted(relative) && inside[0] != "..";
    }

    /// <summary>
    /// The path with every symbolic link in it replaced by its target, as POSIX <c>realpath</c> does: a link's
    /// target continues from the link's folder (or from the top when absolute), and <c>..</c> after a link goes up
    /// from where the link led, not from where it stood.
    /// </summary>
    private static string RealPath(string fullPath, string relative, string field)
    {
        var resolved = System.IO.Path.GetPathRoot(fullPath)!;
        var pending = new LinkedList<string>(fullPath[resolved.Length..].Split(PlatformSeparators, StringSplitOptions.RemoveEmptyEntries));
        var linksFollowed = 0;
        while (pending.First is { } first)
        {
            var segment = first.Value;
            pending.RemoveFirst();
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                resolved = System.IO.Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = System.IO.Path.Combine(resolved, segment);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                resolved = next;
                continue;
            }

            if (++linksFollowed > MaxLinksFollowed)
            {
                throw Invalid(field, $"'{relative}' goes through more than {MaxLinksFollowed} symbolic links (a loop?)");
            }

            if (System.IO.Path.IsPathRooted(target))
            {
                resolved = System.IO.Path.GetPathRoot(target)!;
                target = target[resolved.Length..];
            }

            foreach (var part in target.Split(PlatformSeparators, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.AddFirst(part);
            }
        }

        return resolved;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static RequestRejectedException NotFound(string relative, string field) =>
        new(Rejection.NotFound, field, $"no file or directory '{relative}' under the data root");

    private static RequestRejectedException Invalid(string field, string reason) => new(Rejection.InvalidArgument, field, reason);
}
