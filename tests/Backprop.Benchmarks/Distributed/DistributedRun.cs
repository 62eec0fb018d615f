using System.Globalization;

namespace Backprop.Benchmarks.Distributed;

/// <summary>One run of the reference job: in-process (<see cref="Workers"/> null) or on a local cluster.</summary>
/// <param name="Workers">Worker processes (<c>--workers</c>), or null for the in-process trainer.</param>
/// <param name="Threads">Threads of the in-process trainer, or of each worker.</param>
/// <param name="Plaintext">Whether the local cluster runs without TLS (<c>--plaintext</c>); it is mutual TLS otherwise.</param>
public sealed record DistributedConfiguration(int? Workers, int Threads, bool Plaintext = false)
{
    /// <summary>How the report names the run.</summary>
    public string Label => Workers is { } w
        ? string.Create(CultureInfo.InvariantCulture, $"{w} worker{(w == 1 ? "" : "s")} × {Threads} thread{(Threads == 1 ? "" : "s")}{(Plaintext ? ", plaintext" : "")}")
        : string.Create(CultureInfo.InvariantCulture, $"in-process, {Threads} thread{(Threads == 1 ? "" : "s")}");
}

/// <summary>A configuration with what its run did.</summary>
/// <param name="Configuration">What ran.</param>
/// <param name="Run">The process's output and what was sampled from outside.</param>
/// <param name="ModelPath">Where the run wrote the trained model (<c>--out</c>), for the bit-identity check.</param>
/// <param name="LoadAverage">The machine's 1-minute load average as the run started (Linux), a sign of competing processes.</param>
public sealed record DistributedMeasurement(DistributedConfiguration Configuration, TrainRun Run, string ModelPath, double? LoadAverage);

/// <summary>
/// <c>--distributed</c>: the reference job (built-in MNIST subset, 784-256-128-10, batch 512) trained by the real
/// <c>backprop</c> CLI, in-process and as coordinator + N worker processes on loopback, in one run; then the
/// throughput ratios, the wire bytes per step and the scaling curve (<see cref="DistributedReport"/>).
/// </summary>
public static class DistributedRun
{
    /// <summary>The command-line switch.</summary>
    public const string Flag = "--distributed";

    /// <summary>Batch size of the reference job.</summary>
    public const int BatchSize = 512;

    private const int DefaultEpochs = 4;

    private static readonly int[] DefaultWorkers = [1, 2];

    /// <summary>
    /// Runs the job in every configuration of <paramref name="arguments"/> (<c>--workers 1,2,4</c>, <c>--epochs E</c>,
    /// <c>--threads T</c>, <c>--fabric tls|both</c>: each cluster over mutual TLS, or also over plaintext for TLS's cost) and prints the report to <paramref name="output"/>. Returns the exit code: 0, or 1 when a
    /// run failed or two runs disagree on the results, 2 for bad arguments.
    /// </summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        if (!TryParse(arguments, out var workers, out var epochs, out var threads, out var plaintextToo, out var problem))
        {
            output.WriteLine($"{Flag}: {problem}");
            output.WriteLine($"usage: {Flag} [--workers 1,2,4,8] [--epochs {DefaultEpochs}] [--threads T (default: cores, {Environment.ProcessorCount})] [--fabric tls|both]");
            return 2;
        }

        if (!File.Exists(TrainProcess.CliAssembly))
        {
            output.WriteLine($"{Flag}: {TrainProcess.CliAssembly} is missing; build this project, which references src/Backprop.Cli");
            return 1;
        }

        var configurations = new List<DistributedConfiguration> { new(null, threads) };
        configurations.AddRange(workers.Select(w => new DistributedConfiguration(w, Math.Max(1, threads / w))));
        if (plaintextToo)
        {
            // Each TLS run followed by the same over plaintext, so that the two see the machine in about the same state.
            configurations = [.. configurations.SelectMany(c => c.Workers is null ? [c] : new[] { c, c with { Plaintext = true } })];
        }

        output.WriteLine(
            $"{Flag}: {Environment.ProcessorCount} cores, .NET {Environment.Version}, host {TrainProcess.Host()}, " +
            $"wire bytes from {(OperatingSystem.IsLinux() ? "ss -tinp (tcp_info of the workers' sockets)" : "nowhere (Linux only)")}");
        var models = Directory.CreateTempSubdirectory("backprop-distributed-");
        var measurements = new List<DistributedMeasurement>();
        foreach (var configuration in configurations)
        {
            var modelPath = Path.Combine(models.FullName, $"model-{configuration.Workers ?? 0}-workers{(configuration.Plaintext ? "-plaintext" : "")}.json");
            var cliArguments = CliArguments(configuration, epochs, modelPath);
            var load = LoadAverage();
            output.WriteLine();
            output.WriteLine($"== {configuration.Label}: backprop {string.Join(' ', cliArguments)} (load average {load?.ToString("F1", CultureInfo.InvariantCulture) ?? "unknown"})");
            output.Flush();
            var run = TrainProcess.RunAsync(cliArguments, countSockets: configuration.Workers is not null && OperatingSystem.IsLinux(), line =>
            {
                lock (output)
                {
                    output.WriteLine("   " + line);
                }
            }).GetAwaiter().GetResult();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   exit code {run.ExitCode} after {run.WallSeconds:F1} s"));
            measurements.Add(new DistributedMeasurement(configuration, run, modelPath, load));
        }

        try
        {
            return DistributedReport.Print(output, measurements, epochs);
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    /// <summary>The arguments of <c>backprop</c> for <paramref name="configuration"/>, writing the model to <paramref name="modelPath"/>.</summary>
    public static List<string> CliArguments(DistributedConfiguration configuration, int epochs, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var arguments = new List<string>
        {
            "train", "--data", "mnist", "--hidden", "256,128", "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture),
            "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--seed", "1",
            "--threads", configuration.Threads.ToString(CultureInfo.InvariantCulture), "--out", modelPath,
        };
        if (configuration.Workers is { } workers)
        {
            arguments.AddRange(["--workers", workers.ToString(CultureInfo.InvariantCulture)]);
        }

        if (configuration.Plaintext)
        {
            arguments.Add("--plaintext");
        }

        return arguments;
    }

    /// <summary>The first field of /proc/loadavg, or null where there is none.</summary>
    private static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.TryParse(text.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryParse(IReadOnlyList<string> arguments, out int[] workers, out int epochs, out int threads, out bool plaintextToo, out string problem)
    {
        plaintextToo = false;
        workers = DefaultWorkers;
        epochs = DefaultEpochs;
        threads = Environment.ProcessorCount;
        problem = "";
        for (var i = 0; i < arguments.Count; i++)
        {
            var name = arguments[i];
            if (i + 1 >= arguments.Count)
            {
                problem = $"{name}: missing value";
                return false;
            }

            var value = arguments[++i];
            switch (name)
            {
                case "--workers":
                    var counts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    var parsed = counts.Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : 0).ToArray();
                    if (parsed.Length == 0 || parsed.Contains(0))
                    {
                        problem = $"--workers: '{value}' is not a list of worker counts ≥ 1, e.g. 1,2,4,8";
                        return false;
                    }

                    workers = [.. parsed.Distinct().Order()];
                    break;
                case "--epochs" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e >= 1:
                    epochs = e;
                    break;
                case "--threads" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t >= 1:
                    threads = t;
                    break;
                case "--fabric" when value is "tls" or "both":
                    plaintextToo = value == "both";
                    break;
                case "--fabric":
                    problem = $"--fabric: '{value}' is not tls or both";
                    return false;
                case "--epochs" or "--threads":
                    problem = $"{name}: '{value}' is not a count ≥ 1";
                    return false;
                default:
                    problem = $"unknown argument '{name}'";
                    return false;
            }
        }

        return true;
    }
}
