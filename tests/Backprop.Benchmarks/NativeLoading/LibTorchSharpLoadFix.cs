namespace Backprop.Benchmarks.NativeLoading;

/// <summary>
/// Makes TorchSharp-cpu 0.107.0's <c>libLibTorchSharp.so</c> loadable on glibc systems whose
/// libstdc++ predates GCC 13 (Debian 12 stops at <c>GLIBCXX_3.4.30</c>).
/// </summary>
/// <remarks>
/// The library is linked against GCC 13 and so requires symbol version <c>GLIBCXX_3.4.32</c>, whose
/// only symbol, <c>std::ios_base_library_init()</c>, no relocation uses: marking that requirement
/// weak lets the loader accept the older libstdc++ without changing any code that runs.
/// <para>
/// This runs at process start-up, before any TorchSharp type is touched, rather than as an MSBuild
/// step after build, because BenchmarkDotNet runs every benchmark in a child process built from a
/// generated project with its OWN output folder and its own fresh copy of the package's native files;
/// an after-build step on this project would patch a copy those processes never load. Each process
/// patches the copies next to its own entry assembly (idempotently), never the NuGet cache.
/// </para>
/// </remarks>
public static class LibTorchSharpLoadFix
{
    /// <summary>The file TorchSharp loads first; it depends on libstdc++.</summary>
    public const string LibraryFileName = "libLibTorchSharp.so";

    /// <summary>The GCC 13 symbol version that older libstdc++ lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly Lock Gate = new();
    private static bool _applied;

    /// <summary>
    /// Patches every copy of <see cref="LibraryFileName"/> in this process's output folder (the
    /// <c>runtimes/linux-x64/native</c> folder that the deps.json resolves, and the folder itself for
    /// published layouts). Call before the first use of TorchSharp; later calls do nothing.
    /// </summary>
    /// <param name="log">Receives one line per copy (patched or already weak).</param>
    /// <exception cref="FileNotFoundException">No copy of the library in the output folder.</exception>
    /// <exception cref="InvalidDataException">The library does not have the expected layout.</exception>
    public static void Apply(Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        lock (Gate)
        {
            if (_applied)
            {
                return;
            }

            var baseDirectory = AppContext.BaseDirectory;
            string[] candidates =
            [
                Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", LibraryFileName),
                Path.Combine(baseDirectory, LibraryFileName),
            ];
            var found = candidates.Where(File.Exists).ToArray();
            if (found.Length == 0)
            {
                throw new FileNotFoundException(
                    $"{LibraryFileName} is not in the output folder (looked for {string.Join(" and ", candidates)}); " +
                    "is the TorchSharp-cpu package referenced and restored for linux-x64?");
            }

            foreach (var path in found)
            {
                var result = ElfVersionNeedPatcher.MarkWeak(path, MissingVersion, out var neededFrom);
                log(result == VersionNeedPatchResult.Patched
                    ? $"{path}: marked {MissingVersion} (from {neededFrom}) weak"
                    : $"{path}: {MissingVersion} (from {neededFrom}) already weak");
            }

            _applied = true;
        }
    }
}
