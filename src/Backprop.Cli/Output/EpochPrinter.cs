using System.Globalization;
using Backprop.Core.Data;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Training;

namespace Backprop.Cli.Output;

/// <summary>
/// Reports a training run: on a terminal a live progress line per epoch, rewritten in place;
/// when output is redirected, one plain line per epoch (nothing in between), so logs stay clean.
/// </summary>
internal sealed class EpochPrinter(TextWriter output, bool interactive, int epochs)
{
    private const int BarWidth = 24;

    /// <summary>Redraw at most this often, so printing never slows training.</summary>
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private DateTime _lastRedraw = DateTime.MinValue;

    /// <summary>Says how a local cluster will share each batch, and when some workers can have nothing to do.</summary>
    public void Cluster(int workers, int threadsPerWorker, TrainingOptions options, int trainCount)
    {
        var shards = GradientTree.LeafCount(Math.Min(options.BatchSize, trainCount), options.ShardSize);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"local cluster: {workers} worker processes, {threadsPerWorker} threads each; a batch is {shards} shards of up to {options.ShardSize} rows"));
        if (shards < workers)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"note: only {shards} of {workers} workers can compute each step; raise --batch-size or lower --shard-size (the weights depend on the shard size)"));
        }
    }

    /// <summary>Describes the run before the first epoch.</summary>
    public void Start(NetworkSpec spec, DatasetSplit data, TrainingOptions options)
    {
        output.WriteLine(
            $"training {spec} ({spec.ParameterCount:N0} parameters) on {data.Train.Name}: {data.Train.Count:N0} train / {data.Test?.Count ?? 0:N0} test samples");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loss {options.Loss.ToName()}, optimizer {options.Optimizer.Kind.ToString().ToLowerInvariant()} lr {options.Optimizer.LearningRate}, batch {options.BatchSize}, {options.Epochs} epochs, seed {options.Seed}"));
    }

    /// <summary>Live progress inside an epoch (terminal only).</summary>
    public void Step(BatchProgress progress)
    {
        var now = DateTime.UtcNow;
        if (!interactive || (now - _lastRedraw < RedrawInterval && progress.Batch != progress.BatchesPerEpoch))
        {
            return;
        }

        _lastRedraw = now;
        var filled = progress.Batch * BarWidth / progress.BatchesPerEpoch;
        output.Write(string.Create(
            CultureInfo.InvariantCulture,
            $"\repoch {progress.Epoch}/{epochs} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {progress.Batch}/{progress.BatchesPerEpoch} loss {progress.MeanLossSoFar:F4}"));
        output.Flush();
    }

    /// <summary>The summary line of a finished epoch.</summary>
    public void Epoch(EpochReport report)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"epoch {report.Epoch}/{epochs}  train loss {report.TrainLoss:F4}");
        if (report.Test is { } test)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  test loss {test.MeanLoss:F4}");
            if (test.Accuracy is { } accuracy)
            {
                line += string.Create(CultureInfo.InvariantCulture, $"  test accuracy {accuracy * 100:F2}%");
            }
        }

        if (report.Stopping?.BestEpoch == report.Epoch)
        {
            line += "  best";
        }

        line += string.Create(CultureInfo.InvariantCulture, $"  ({report.Elapsed.TotalSeconds:F1} s, {report.SamplesPerSecond:N0} samples/s)");
        output.WriteLine(interactive ? $"\r{line}\u001b[K" : line);
    }

    /// <summary>
    /// The result line after the last epoch. With early stopping it names the epoch whose weights the model keeps (the
    /// metrics that follow are that model's), not the last epoch's score.
    /// </summary>
    public void Finish(EpochReport last)
    {
        if (last.Stopping is { } stopping)
        {
            var why = stopping.Stops
                ? string.Create(CultureInfo.InvariantCulture, $"stopped after epoch {last.Epoch}: no lower validation loss in the {last.Epoch - stopping.BestEpoch} epochs since epoch {stopping.BestEpoch}")
                : string.Create(CultureInfo.InvariantCulture, $"trained every epoch; the lowest validation loss was at epoch {stopping.BestEpoch}");
            output.WriteLine(stopping.BestEpoch == 0
                ? $"early stopping: {why}; no epoch had a finite validation loss, the model keeps the last weights"
                : string.Create(CultureInfo.InvariantCulture, $"early stopping: {why} (validation loss {stopping.BestLoss:F4}); the model keeps epoch {stopping.BestEpoch}'s weights"));
        }
        else if (last.Test is { Accuracy: { } accuracy })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy: {accuracy * 100:F2}%"));
        }
        else if (last.Test is { } test)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test loss: {test.MeanLoss:F6}"));
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train loss: {last.TrainLoss:F6} (no test data)"));
        }
    }
}
