using Backprop.Core.Data;

namespace Backprop.Server.Jobs;

/// <summary>
/// Datasets loaded for jobs, shared by every job on the same samples while any of them holds them: fifty queued jobs
/// on MNIST keep one copy, not fifty. Held weakly, so samples no job uses any more are collected. Thread-safe.
/// </summary>
internal sealed class LoadedDatasets
{
    private readonly Dictionary<string, WeakReference<DatasetSplit>> _loaded = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// The split loaded for <paramref name="key"/> if some job still holds it, else <paramref name="load"/>'s (kept for
    /// the next job). The key must change whenever the samples would: it names the data, its options and its version.
    /// </summary>
    public DatasetSplit GetOrLoad(string key, Func<DatasetSplit> load)
    {
        lock (_gate)
        {
            if (_loaded.TryGetValue(key, out var held) && held.TryGetTarget(out var split))
            {
                return split;
            }
        }

        // Loading can take a while; two jobs loading the same data at once each load it, and one copy is kept.
        var loaded = load();
        lock (_gate)
        {
            foreach (var stale in _loaded.Where(entry => !entry.Value.TryGetTarget(out _)).Select(entry => entry.Key).ToList())
            {
                _loaded.Remove(stale);
            }

            if (_loaded.TryGetValue(key, out var held) && held.TryGetTarget(out var first))
            {
                return first;
            }

            _loaded[key] = new WeakReference<DatasetSplit>(loaded);
            return loaded;
        }
    }

    /// <summary>
    /// A version of the file or directory at <paramref name="path"/> that changes when its contents are replaced: the
    /// latest write time and total size of the file, or of the files of the directory; empty for a built-in name.
    /// </summary>
    public static string VersionOf(string path)
    {
        if (File.Exists(path))
        {
            var file = new FileInfo(path);
            return $"{file.LastWriteTimeUtc.Ticks}:{file.Length}";
        }

        if (Directory.Exists(path))
        {
            var files = new DirectoryInfo(path).GetFiles();
            return $"{files.Select(f => f.LastWriteTimeUtc.Ticks).DefaultIfEmpty().Max()}:{files.Sum(f => f.Length)}:{files.Length}";
        }

        return "";
    }
}
