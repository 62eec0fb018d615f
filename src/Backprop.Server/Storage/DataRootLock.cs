using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Backprop.Server.Storage;

/// <summary>
/// A coordinator's exclusive hold on its data root, so that two coordinators never write one data volume: an OS lock
/// on <see cref="LockFileName"/> in the root, taken before anything reads or writes jobs and held for the life of
/// the process. The OS releases it when the process ends, however it ends (<c>kill -9</c> included), so a stale lock
/// file never keeps the next coordinator out.
/// </summary>
/// <remarks>
/// .NET opens the file with <see cref="FileShare.None"/>: on Linux and macOS that is an advisory <c>flock(2)</c>
/// (LOCK_EX), which every other .NET process opening the file honours, readers included (they take LOCK_SH). That is
/// why the holder's description goes to a second file, <see cref="HolderFileName"/>, that anyone can read. The lock
/// means nothing where .NET's file locking is switched off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>), nor between
/// hosts on a network file system without <c>flock</c> (some NFS setups).
/// </remarks>
public sealed class DataRootLock : IDisposable
{
    /// <summary>Name of the locked file, in the data root.</summary>
    public const string LockFileName = ".lock";

    /// <summary>Name of the file, in the data root, where the holder describes itself for a coordinator it keeps out.</summary>
    public const string HolderFileName = ".lock-holder";

    // What .NET's IOException carries as HResult when the lock is held: flock's EWOULDBLOCK (errno 11 on Linux, 35 on
    // macOS), or Windows' ERROR_SHARING_VIOLATION.
    private const int LinuxWouldBlock = 11;
    private const int MacWouldBlock = 35;
    private const int WindowsSharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _lock;

    private DataRootLock(FileStream held) => _lock = held;

    /// <summary>
    /// Takes the lock on the data root at <paramref name="root"/> (created if missing) and writes this process's
    /// description beside it. Returns false, with the holder's description in <paramref name="holder"/>, when another
    /// process holds it.
    /// </summary>
    /// <exception cref="IOException">The root or its lock file cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The root or its lock file cannot be written.</exception>
    public static bool TryAcquire(string root, [NotNullWhen(true)] out DataRootLock? held, [NotNullWhen(false)] out string? holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        var folder = Path.GetFullPath(root);
        Directory.CreateDirectory(folder);
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            held = null;
            holder = HolderOf(folder);
            return false;
        }

        held = new DataRootLock(stream);
        holder = null;
        // The description is a courtesy to the one kept out: the lock holds whether or not it can be written.
        try
        {
            AtomicFile.Write(Path.Combine(folder, HolderFileName), Encoding.UTF8.GetBytes(Describe(Environment.ProcessId, Environment.MachineName, Process.GetCurrentProcess().StartTime)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to do: HolderOf says "another process" instead.
        }

        return true;
    }

    /// <summary>How a holder describes itself: "pid 123 on host coordinator-1, started 2026-01-02T03:04:05Z".</summary>
    public static string Describe(int processId, string host, DateTime started) =>
        string.Create(CultureInfo.InvariantCulture, $"pid {processId} on host {host}, started {started.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}");

    /// <summary>Releases the lock (the process's end releases it too).</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>Whether opening the lock file failed because another process holds it, not for lack of room or rights.</summary>
    private static bool IsHeldElsewhere(IOException e) => e.HResult is LinuxWouldBlock or MacWouldBlock or WindowsSharingViolation;

    private static string HolderOf(string folder)
    {
        try
        {
            var description = File.ReadAllText(Path.Combine(folder, HolderFileName)).Trim();
            return description.Length > 0 ? description : "another process";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }
}
