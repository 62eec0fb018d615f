using System.Diagnostics;

namespace Backprop.Benchmarks.Distributed;

/// <summary>What one <c>backprop train</c> process did.</summary>
/// <param name="ExitCode">Its exit code (-1: killed after the time limit).</param>
/// <param name="Output">Everything it printed to stdout, parsed.</param>
/// <param name="Errors">Its stderr lines.</param>
/// <param name="WallSeconds">From start to exit.</param>
/// <param name="Sampler">What was seen from outside: workers, CPU times, socket counters.</param>
public sealed record TrainRun(int ExitCode, TrainOutput Output, IReadOnlyList<string> Errors, double WallSeconds, ProcessSampler Sampler);

/// <summary>
/// Runs the real <c>backprop</c> CLI (backprop.dll beside this program, through the dotnet host) as a child
/// process and watches it with a <see cref="ProcessSampler"/>.
/// </summary>
public static class TrainProcess
{
    /// <summary>Name of the CPU mark taken when epoch 1 is reported (steady state starts).</summary>
    public const string FirstEpochMark = "first-epoch";

    /// <summary>Name of the CPU mark taken when the last epoch is reported (training is over).</summary>
    public const string LastEpochMark = "last-epoch";

    /// <summary>A run that takes longer has hung: it is killed with its workers.</summary>
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(10);

    /// <summary>The CLI's assembly, copied into this program's folder by the project reference.</summary>
    public static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "backprop.dll");

    /// <summary>
    /// The dotnet host: <c>DOTNET_HOST_PATH</c> (set by the SDK), else this process's own host when it is
    /// <c>dotnet</c>, else <c>dotnet</c> from PATH.
    /// </summary>
    public static string Host()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    /// <summary>
    /// Runs <c>backprop <paramref name="arguments"/></c> to the end; <paramref name="echo"/> hears every line it prints
    /// (stderr lines prefixed). Worker sockets are counted if <paramref name="countSockets"/>.
    /// </summary>
    public static async Task<TrainRun> RunAsync(IReadOnlyList<string> arguments, bool countSockets, Action<string> echo)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(echo);
        var start = new ProcessStartInfo(Host())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(CliAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new TrainOutput();
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var sampler = new ProcessSampler(process.Id, countSockets);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not { } text)
            {
                return;
            }

            echo(text);
            if (output.Accept(text) is { } epoch)
            {
                if (epoch.Epoch == 1)
                {
                    sampler.Mark(FirstEpochMark);
                }

                if (epoch.Epoch == epoch.Epochs)
                {
                    sampler.Mark(LastEpochMark);
                }
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                echo("stderr: " + text);
                lock (errors)
                {
                    errors.Add(text);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeLimit);
        int exitCode;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            echo($"killed after {TimeLimit.TotalMinutes:0} minutes");
            exitCode = -1;
        }

        await sampler.DisposeAsync().ConfigureAwait(false);
        return new TrainRun(exitCode, output, errors, clock.Elapsed.TotalSeconds, sampler);
    }
}
