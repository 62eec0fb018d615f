using System.CommandLine;
using Backprop.Cli.Certs;
using Backprop.Cli.Cluster;
using Backprop.Cli.Export;
using Backprop.Cli.Remote;
using Backprop.Cli.Train;
using Backprop.Core;

namespace Backprop.Cli;

/// <summary>The <c>backprop</c> command: parses arguments, runs the verb, maps failures to exit codes.</summary>
public static class BackpropCli
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>Something outside the user's input failed (a worker process, the cluster); stderr has one line saying why.</summary>
    public const int Failure = 1;

    /// <summary>The user's input (a flag, a file) was bad; stderr has one line saying why.</summary>
    public const int BadInput = 2;

    /// <summary>Ctrl+C stopped the command (a watch: the job goes on on the server); the shells' 128 + SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Runs the command line <paramref name="args"/>, writing results to <paramref name="output"/> and
    /// errors to <paramref name="error"/>. <paramref name="interactive"/> selects the live progress
    /// display (a terminal) over plain lines (redirected output).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = new RootCommand("Backprop.Distributed: train fully-connected neural networks.")
        {
            TrainCommand.Create(output, interactive),
            WorkerCommand.Create(output),
            SubmitCommand.Create(output, interactive),
            WatchCommand.Create(output, interactive),
            JobsCommand.Create(output, interactive),
            CancelCommand.Create(output),
            ModelCommand.Create(output),
            PredictCommand.Create(output),
            ExportCommand.Create(output),
            UploadCommand.Create(output),
            CertsCommand.Create(output),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"backprop: {parsed.Errors[0].Message}");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException exception)
        {
            error.WriteLine($"backprop: {exception.Message}");
            return BadInput;
        }
        catch (RemoteCallException exception)
        {
            error.WriteLine($"backprop: {exception.Message}");
            return Failure;
        }
        catch (ClusterRunException exception)
        {
            error.WriteLine($"backprop: {exception.Message}");
            return Failure;
        }
    }
}
