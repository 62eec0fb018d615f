using System.Diagnostics;
using Backprop.Cluster.Security;

namespace Backprop.Cli.Cluster;

/// <summary>
/// A <c>backprop worker</c> child process on loopback. It leaves the cluster and exits when its stdin closes,
/// so it also ends if this process dies; <see cref="DisposeAsync"/> closes stdin and kills it if it lingers.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>The line a worker prints once it has joined, followed by its address.</summary>
    public const string ReadyLine = "worker joined the cluster at ";

    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith(ReadyLine, StringComparison.Ordinal) == true)
            {
                _ready.TrySetResult(line.Data[ReadyLine.Length..]);
            }
        };
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                lock (_errors)
                {
                    _errors.Add(text);
                }
            }
        };
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            var reason = $"a worker process exited with code {_process.ExitCode}: {LastError()}";
            _ready.TrySetException(new InvalidOperationException(reason));
            _exited.TrySetResult(reason);
        };
    }

    /// <summary>Starts <c>backprop worker</c> joining <paramref name="seed"/> with <paramref name="threads"/> threads and <paramref name="tls"/>.</summary>
    public static WorkerProcess Start(string seed, int threads, ClusterTlsOptions tls)
    {
        var (fileName, prefix) = SelfCommand();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments = ["worker", "--join", seed, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until-stdin-closes"];
        foreach (var argument in prefix.Concat(arguments).Concat(TlsFlags.ArgumentsFor(tls)))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var worker = new WorkerProcess(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Completes with the worker's address once it has joined; fails if it exits first.</summary>
    public Task<string> Ready => _ready.Task;

    /// <summary>Completes with a description when the process has exited.</summary>
    public Task<string> Exited => _exited.Task;

    /// <summary>Asks the worker to leave (stdin closes) and waits for it to exit, killing it after a grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(ExitGrace);
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private string LastError()
    {
        lock (_errors)
        {
            return _errors.Count > 0 ? _errors[^1] : "no message";
        }
    }

    /// <summary>How to run this program again: the dotnet host with backprop.dll (works under dotnet run, the apphost and tests alike).</summary>
    private static (string FileName, string[] Prefix) SelfCommand()
    {
        var assembly = typeof(BackpropCli).Assembly.Location;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host))
        {
            var current = Environment.ProcessPath;
            host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }

        return (host, ["exec", assembly]);
    }
}
