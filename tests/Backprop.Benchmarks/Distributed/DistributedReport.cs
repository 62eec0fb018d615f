using System.Diagnostics;
using System.Globalization;

namespace Backprop.Benchmarks.Distributed;

/// <summary>
/// The end of <c>--distributed</c>: whether every run computed the same results, then per configuration the
/// samples/s, its ratios to the in-process trainer and to one worker, the wire bytes per step and their ratio to
/// 8 × parameters × workers, and the cores each side kept busy; as plain text, then as a Markdown table for
/// docs/performance.md. The targets (docs/DESIGN.md, the benchmark's issue) stand beside the figures.
/// </summary>
public static class DistributedReport
{
    /// <summary>Target: coordinator + 1 worker keeps this share of the in-process samples/s.</summary>
    public const double OneWorkerTarget = 0.90;

    /// <summary>
    /// Target with one worker (the star: θ down, the sums up): wire bytes per step at most this multiple of 8 × parameters.
    /// With more, the workers reduce among themselves and the busiest node's bytes are the target instead.
    /// </summary>
    public const double WireTarget = 1.05;

    /// <summary>Target (issue 13): the busiest node moves at most this multiple of 4·P bytes each way per step, at any W.</summary>
    public const double BusiestNodeTarget = 2.5;

    /// <summary>Target: 8 workers reach this multiple of one worker's samples/s.</summary>
    public const double EightWorkerTarget = 7.0;

    /// <summary>Bytes per parameter per worker and step: θ (float32) down, the gradient sums (float32) up.</summary>
    private const int WireBytesPerParameter = 8;

    /// <summary>Prints the report of <paramref name="measurements"/> (the in-process run first). Returns the exit code.</summary>
    public static int Print(TextWriter output, IReadOnlyList<DistributedMeasurement> measurements, int epochs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(measurements);
        var rows = measurements.Select(m => Row.Of(m, epochs)).ToList();
        var baseline = rows.FirstOrDefault(r => r.Configuration.Workers is null);
        var oneWorker = rows.FirstOrDefault(r => r.Configuration is { Workers: 1, Plaintext: false });
        var job = rows.Select(r => r.Measurement.Run.Output).FirstOrDefault(o => o.Parameters is not null && o.TrainSamples is not null);
        var failed = rows.Where(r => r.Failure is not null).ToList();
        var resultsDiffer = ResultsDiffer(rows.Where(r => r.Failure is null).ToList());

        output.WriteLine();
        output.WriteLine("## Distributed: coordinator + N worker processes on loopback vs the in-process trainer");
        output.WriteLine();
        output.WriteLine(job is null
            ? "Reference job: no run printed its description."
            : $"Reference job: `backprop train --data mnist --hidden 256,128 --batch-size {DistributedRun.BatchSize} --epochs {epochs} --seed 1` " +
              $"({job.Parameters:N0} parameters, {job.TrainSamples:N0} training samples, {StepsOf(job, epochs):N0} steps); {Environment.ProcessorCount} cores.");
        var loads = measurements.Select(m => m.LoadAverage).OfType<double>().ToList();
        if (loads.Count > 0)
        {
            output.WriteLine($"1-minute load average as each run started: {string.Join(", ", loads.Select(l => Format(l, "F1")))} (above the core count, other processes compete with the runs for the cores).");
        }

        foreach (var row in failed)
        {
            output.WriteLine($"RUN FAILED: {row.Configuration.Label}: {row.Failure}");
        }

        output.WriteLine(resultsDiffer ?? $"Results: identical in every run: final line '{rows.First(r => r.Failure is null).Measurement.Run.Output.FinalResult}', every epoch's losses and accuracy, and the trained model (byte-identical --out files).");
        output.WriteLine();
        foreach (var row in rows.Where(r => r.Failure is null))
        {
            PrintText(output, row, baseline, oneWorker);
        }

        PrintTlsCost(output, rows);
        output.WriteLine();
        PrintMarkdown(output, rows, baseline, oneWorker);
        output.WriteLine();
        output.WriteLine("samples/s: median of epochs 2..E as the CLI reports them (epoch 1 includes the JIT's warm-up). Wire bytes: payload bytes of every TCP socket");
        output.WriteLine("of the worker processes (tcp_info bytes_sent + bytes_received via `ss -tinp`, last value before each socket closed), over all steps; they include");
        output.WriteLine("the join, cluster gossip and heartbeats (a few kB per run; with several workers, worker-to-worker gossip counts at both ends). 8·P·W: θ down and");
        output.WriteLine("the gradient sums up, float32, once per worker and step: the star's bytes, the target with one worker; with more, models of");
        output.WriteLine("Cluster:CollectiveMinBytes or more reduce among the workers (reduce-scatter, all-gather) and the busiest node's bytes are the target.");
        output.WriteLine("Cores busy: CPU seconds ÷ wall seconds from the epoch-1 line to the last epoch line.");
        return failed.Count > 0 || resultsDiffer is not null ? 1 : 0;
    }

    /// <summary>Target (issue 15): mutual TLS on the fabric costs at most this share of plaintext's samples/s.</summary>
    public const double TlsCostTarget = 0.05;

    /// <summary>For each cluster run both ways (<c>--fabric both</c>): TLS's samples/s against plaintext's.</summary>
    private static void PrintTlsCost(TextWriter output, IReadOnlyList<Row> rows)
    {
        var pairs = rows.Where(r => r.Failure is null && r.Configuration is { Workers: not null, Plaintext: false })
            .Select(tls => (Tls: tls, Plaintext: rows.FirstOrDefault(p => p.Failure is null && p.Configuration == tls.Configuration with { Plaintext = true })))
            .Where(pair => pair.Plaintext is not null)
            .ToList();
        if (pairs.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"Cost of mutual TLS on the fabric (target: at most {Format(TlsCostTarget * 100, "F0")}% fewer samples/s than plaintext):");
        foreach (var (tls, plaintext) in pairs)
        {
            var ratio = tls.SamplesPerSecond / plaintext!.SamplesPerSecond;
            output.WriteLine(
                $"    {tls.Configuration.Label}: {Format(tls.SamplesPerSecond, "N0")} samples/s over TLS, {Format(plaintext.SamplesPerSecond, "N0")} over plaintext: " +
                $"{WithTarget(ratio, "×", "≥", 1 - TlsCostTarget, ratio >= 1 - TlsCostTarget)}");
        }
    }

    private static void PrintText(TextWriter output, Row row, Row? baseline, Row? oneWorker)
    {
        var epochs = string.Join(" ", row.Measurement.Run.Output.Epochs.Select(e => Format(e.SamplesPerSecond, "N0")));
        output.WriteLine($"{row.Configuration.Label}: {Format(row.SamplesPerSecond, "N0")} samples/s (epochs: {epochs})");
        if (row.Configuration.Workers is not { } workers)
        {
            output.WriteLine($"    cores busy {Format(row.CoordinatorCores, "F2")}");
            return;
        }

        output.WriteLine(
            $"    {VersusInProcess(row, baseline)} in-process, {VersusOneWorker(row, oneWorker)} 1 worker; " +
            $"cores busy: coordinator {Format(row.CoordinatorCores, "F2")}, workers {Format(row.WorkerCores, "F2")}");
        if (row.WireNote is { } note)
        {
            output.WriteLine($"    wire: {note}");
            return;
        }

        output.WriteLine($"    busiest node: the {row.BusiestNode}, {Busiest(row)} × 4·P per step (max of received and sent)");
        var perWorkerStep = (double)row.Steps * workers;
        output.WriteLine(
            $"    wire {Format(row.BytesPerStep, "N0")} B/step = {Wire(row)} × 8·P·W; per worker and step " +
            $"{Format(row.WorkerReceived / perWorkerStep, "N0")} B down, {Format(row.WorkerSent / perWorkerStep, "N0")} B up " +
            $"(θ and the gradient are {Format(4.0 * row.Parameters, "N0")} B each)");
    }

    private static void PrintMarkdown(TextWriter output, IReadOnlyList<Row> rows, Row? baseline, Row? oneWorker)
    {
        output.WriteLine("| run | samples/s | ÷ in-process | ÷ 1 worker | wire bytes/step | ÷ 8·P·workers | busiest node ÷ 4·P | cores busy: coordinator + workers |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            if (row.Failure is not null)
            {
                output.WriteLine($"| {row.Configuration.Label} | failed | | | | | | |");
                continue;
            }

            if (row.Configuration.Workers is null)
            {
                output.WriteLine($"| {row.Configuration.Label} | {Format(row.SamplesPerSecond, "N0")} | 1.00× | – | – | – | – | {Format(row.CoordinatorCores, "F2")} |");
                continue;
            }

            var bytes = row.WireNote is null ? Format(row.BytesPerStep, "N0") : "–";
            output.WriteLine(
                $"| {row.Configuration.Label} | {Format(row.SamplesPerSecond, "N0")} | {VersusInProcess(row, baseline)} | {VersusOneWorker(row, oneWorker)} " +
                $"| {bytes} | {Wire(row)} | {Busiest(row)} | {Format(row.CoordinatorCores, "F2")} + {Format(row.WorkerCores, "F2")} |");
        }
    }

    private static string VersusInProcess(Row row, Row? baseline)
    {
        var ratio = Ratio(row.SamplesPerSecond, baseline?.SamplesPerSecond);
        return row.Configuration.Workers == 1 ? WithTarget(ratio, "×", "≥", OneWorkerTarget, ratio >= OneWorkerTarget) : Format(ratio, "F2", "×");
    }

    private static string VersusOneWorker(Row row, Row? oneWorker)
    {
        var ratio = Ratio(row.SamplesPerSecond, oneWorker?.SamplesPerSecond);
        return row.Configuration.Workers == 8 ? WithTarget(ratio, "×", "≥", EightWorkerTarget, ratio >= EightWorkerTarget) : Format(ratio, "F2", "×");
    }

    private static string Wire(Row row) =>
        row.WireNote is not null ? "–"
        : row.Configuration.Workers == 1 ? WithTarget(row.WireRatio, "", "≤", WireTarget, row.WireRatio <= WireTarget, "F3")
        : Format(row.WireRatio, "F3", "");

    private static string Busiest(Row row) =>
        row.WireNote is null ? WithTarget(row.BusiestRatio, "", "≤", BusiestNodeTarget, row.BusiestRatio <= BusiestNodeTarget) : "–";

    private static string WithTarget(double? value, string suffix, string relation, double target, bool met, string format = "F2") =>
        value is null ? "–" : $"{Format(value, format, suffix)} ({(met ? "met" : "MISSED")}: {relation} {target.ToString("F2", CultureInfo.InvariantCulture)})";

    /// <summary>
    /// Which runs computed different results than the first (the design makes them bit-identical), or null if all
    /// agree: the final result line, every epoch's printed losses and accuracy, and the model file bytes.
    /// </summary>
    private static string? ResultsDiffer(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0)
        {
            return "Results: no run finished.";
        }

        var reference = rows[0];
        var referenceLines = reference.Measurement.Run.Output.ResultsFingerprint().Split('\n');
        var referenceModel = ModelBytes(reference);
        var lines = new List<string>();
        foreach (var row in rows.Skip(1))
        {
            var output = row.Measurement.Run.Output;
            var differences = new List<string>();
            if (output.FinalResult != reference.Measurement.Run.Output.FinalResult)
            {
                differences.Add($"final line '{output.FinalResult}' vs '{reference.Measurement.Run.Output.FinalResult}'");
            }

            var printed = output.ResultsFingerprint().Split('\n');
            var firstDifferent = printed.Zip(referenceLines).Select((pair, i) => (pair, i)).FirstOrDefault(p => p.pair.First != p.pair.Second);
            if (firstDifferent.pair.First is not null)
            {
                differences.Add($"first different epoch line: '{firstDifferent.pair.First}' vs '{firstDifferent.pair.Second}'");
            }

            var model = ModelBytes(row);
            if (model is null || referenceModel is null || !model.AsSpan().SequenceEqual(referenceModel))
            {
                differences.Add(model is null || referenceModel is null ? "a model file is missing" : "the trained models differ (--out files not byte-identical)");
            }

            if (differences.Count > 0)
            {
                lines.Add($"    {row.Configuration.Label} vs {reference.Configuration.Label}: {string.Join("; ", differences)}");
            }
        }

        if (lines.Count == 0)
        {
            return null;
        }

        // Tells "the cluster differs from the in-process trainer" apart from "cluster runs differ among themselves".
        var others = rows.Skip(1).Select(ModelBytes).ToList();
        if (others.Count > 1 && others.All(m => m is not null && m.AsSpan().SequenceEqual(others[0])))
        {
            lines.Add($"    ({string.Join(", ", rows.Skip(1).Select(r => r.Configuration.Label))}: byte-identical models among themselves)");
        }

        return string.Join(Environment.NewLine, lines.Prepend("RESULTS DIFFER (the design makes every run bit-identical):"));
    }

    private static byte[]? ModelBytes(Row row) =>
        File.Exists(row.Measurement.ModelPath) ? File.ReadAllBytes(row.Measurement.ModelPath) : null;

    private static long StepsOf(TrainOutput output, int epochs) =>
        (long)epochs * ((output.TrainSamples!.Value + DistributedRun.BatchSize - 1) / DistributedRun.BatchSize);

    private static double? Ratio(double? value, double? reference) => value / reference;

    private static string Format(double? value, string format, string suffix = "") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) + suffix : "–";

    /// <summary>The figures of one configuration.</summary>
    private sealed record Row(DistributedMeasurement Measurement, string? Failure, double? SamplesPerSecond, long Parameters, long Steps,
        long WorkerSent, long WorkerReceived, string? WireNote, double? CoordinatorCores, double? WorkerCores, long BusiestBytes, string BusiestNode)
    {
        public DistributedConfiguration Configuration => Measurement.Configuration;

        public double? BytesPerStep => Steps > 0 ? (WorkerSent + WorkerReceived) / (double)Steps : null;

        /// <summary>The busiest node's bytes per step ÷ 4·P (θ or the gradient once).</summary>
        public double? BusiestRatio => Steps > 0 && Parameters > 0 ? BusiestBytes / (double)Steps / (4.0 * Parameters) : null;

        public double? WireRatio =>
            Configuration.Workers is { } workers && Parameters > 0 ? BytesPerStep / ((double)WireBytesPerParameter * Parameters * workers) : null;

        public static Row Of(DistributedMeasurement measurement, int epochs)
        {
            var run = measurement.Run;
            var output = run.Output;
            var failure = run.ExitCode != 0
                ? $"exit code {run.ExitCode}: {(run.Errors.Count > 0 ? run.Errors[^1] : "no error output")}"
                : output.Epochs.Count != epochs || output.Parameters is null || output.TrainSamples is null
                    ? $"printed {output.Epochs.Count} of {epochs} epoch lines (or no job description)"
                    : null;
            var steps = output.TrainSamples is null ? 0 : StepsOf(output, epochs);
            var sockets = run.Sampler.Sockets;
            var workers = measurement.Configuration.Workers ?? 0;
            string? wireNote = null;
            if (workers > 0)
            {
                var open = run.Sampler.WorkersWithSocketsAt(TrainProcess.LastEpochMark);
                wireNote = !TcpSocketCounters.Available ? "not counted: `ss` (iproute2) is not installed"
                    : sockets.Count == 0 ? "not counted: no worker socket was seen"
                    : run.Sampler.WorkerCount != workers ? $"not counted: saw {run.Sampler.WorkerCount} of {workers} worker processes"
                    : open != workers ? $"incomplete: at the last epoch line {open ?? 0} of {workers} workers still had their sockets open"
                    : null;
            }

            var (coordinatorCores, workerCores) = CoresBusy(run.Sampler);
            var busiest = Distributed.BusiestNode.Of(sockets);
            return new Row(measurement, failure, output.MedianSamplesPerSecond(), output.Parameters ?? 0, steps,
                sockets.Sum(s => s.BytesSent), sockets.Sum(s => s.BytesReceived), wireNote, coordinatorCores, workers > 0 ? workerCores : null,
                busiest.Bytes, busiest.Node);
        }

        private static (double? Coordinator, double? Workers) CoresBusy(ProcessSampler sampler)
        {
            var marks = sampler.Marks;
            if (!marks.TryGetValue(TrainProcess.FirstEpochMark, out var first) || !marks.TryGetValue(TrainProcess.LastEpochMark, out var last))
            {
                return (null, null);
            }

            var seconds = (last.Timestamp - first.Timestamp) / (double)Stopwatch.Frequency;
            return seconds <= 0
                ? (null, null)
                : ((last.CoordinatorSeconds - first.CoordinatorSeconds) / seconds, (last.WorkerSeconds - first.WorkerSeconds) / seconds);
        }
    }
}
