using System.CommandLine;
using System.Runtime.InteropServices;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;
using Backprop.Core;

namespace Backprop.Cli.Cluster;

/// <summary><c>backprop worker</c>: runs a worker node that joins a cluster and computes gradients until stopped.</summary>
internal static class WorkerCommand
{
    /// <summary>How long a worker may take to become a cluster member.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The verb with its flags; status lines go to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var join = new Option<string>("--join") { Description = "Seed node to join, e.g. akka.tcp://backprop@10.0.0.5:4053", Required = true };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var publicHost = new Option<string?>("--public-host") { Description = "Address other nodes reach this one at (default: --host)" };
        var port = new Option<int>("--port") { Description = "Remoting port (0: any free port)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Threads computing gradients (0: one per core)", DefaultValueFactory = _ => 0 };
        var tls = new TlsFlags();
        var untilStdinCloses = new Option<bool>("--until-stdin-closes") { Description = "Leave the cluster when standard input closes (used by train --workers)", Hidden = true };
        var command = new Command("worker", "Join a cluster as a worker node and compute gradients until stopped (Ctrl+C or SIGTERM).")
        {
            join, host, publicHost, port, threads, untilStdinCloses,
        };
        foreach (var flag in tls.All)
        {
            command.Options.Add(flag);
        }

        command.SetAction(parsed =>
        {
            var options = new ClusterOptions
            {
                Hostname = parsed.GetValue(host)!,
                PublicHostname = parsed.GetValue(publicHost) ?? "",
                Port = parsed.GetValue(port),
                SeedNodes = [parsed.GetValue(join)!],
                Roles = [ClusterRoles.Worker],
                WorkerThreads = parsed.GetValue(threads),
                Tls = tls.Options(parsed),
            };
            return RunAsync(options, parsed.GetValue(untilStdinCloses), output).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> RunAsync(ClusterOptions options, bool untilStdinCloses, TextWriter output)
    {
        try
        {
            options.Validate();
            if (options.Tls.Enabled)
            {
                // Read now: an unreadable file is bad input (one line), not a failed start.
                ClusterCertificates.Load(options.Tls).Dispose();
            }
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException(e.Message);
        }

        await using var node = await BackpropNode.StartAsync(options).ConfigureAwait(false);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(node.System).RegisterOnMemberUp(() => joined.TrySetResult());
        if (await Task.WhenAny(joined.Task, Task.Delay(JoinTimeout)).ConfigureAwait(false) != joined.Task)
        {
            throw new ClusterRunException($"could not join {options.SeedNodes[0]} within {JoinTimeout.TotalSeconds:0} s");
        }

        output.WriteLine($"{WorkerProcess.ReadyLine}{node.Address}");
        output.Flush();
        var stopped = StopRequested(untilStdinCloses);
        if (await Task.WhenAny(stopped, node.System.WhenTerminated).ConfigureAwait(false) != stopped)
        {
            // Downed by the Split Brain Resolver, or left a cluster without a coordinator (CoordinatorWatch): a new
            // node is needed to join again, so exit non-zero for a supervisor to start one.
            var reason = Akka.Actor.CoordinatedShutdown.Get(node.System).ShutdownReason;
            throw new ClusterRunException($"the node left the cluster ({reason?.GetType().Name ?? "its actor system stopped"}); start it again to rejoin");
        }

        return BackpropCli.Success;
    }

    /// <summary>Completes on SIGTERM or Ctrl+C, or when stdin reaches its end if <paramref name="untilStdinCloses"/>.</summary>
    private static async Task StopRequested(bool untilStdinCloses)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        if (untilStdinCloses)
        {
            _ = Task.Run(async () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (await stdin.ReadAsync(buffer).ConfigureAwait(false) > 0)
                {
                }

                stop.TrySetResult();
            });
        }

        await stop.Task.ConfigureAwait(false);
    }
}
