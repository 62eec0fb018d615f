using Akka.Actor;
using Akka.Hosting;
using Akka.Remote;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Worker;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Backprop.Server;

/// <summary>
/// The node executable: an ASP.NET Core host running this node's actor system (Akka.Hosting), its roles and
/// cluster settings read from configuration (<see cref="ServerConfiguration"/>).
/// </summary>
/// <remarks>
/// Lifecycle:
/// <list type="number">
/// <item>Read and validate the <c>Cluster</c> section; a bad value prints one line to stderr and exits with
/// <see cref="BadConfiguration"/> before anything starts.</item>
/// <item>A coordinator locks its data root (<see cref="DataRootLock"/>); when another coordinator holds it, one line
/// naming the holder goes to stderr and the process exits with <see cref="BadConfiguration"/>, having read and
/// written no job.</item>
/// <item>Start the host: remoting binds, the node joins its seed nodes (or itself), and the log says
/// "Node started" with the roles and the bound address; "Member up: ... (this node)" follows on joining.
/// A start that fails (the port is taken) prints one line to stderr and exits with <see cref="Failed"/>.</item>
/// <item>SIGTERM or Ctrl+C stops the host, and Akka.Hosting runs CoordinatedShutdown: the node leaves the
/// cluster, so coordinators move its outstanding shards to the other workers, and the process exits with
/// <see cref="Stopped"/>. A node the cluster downed (Split Brain Resolver) stops too, with <see cref="Failed"/>,
/// so that a supervisor restarts it: a downed node cannot rejoin with the same actor system. So does a worker whose
/// cluster has lost its coordinator (<see cref="CoordinatorWatch"/>): started again, it joins the seed nodes.</item>
/// </list>
/// </remarks>
internal static class BackpropServer
{
    /// <summary>Exit code of a node that was asked to stop and left the cluster.</summary>
    public const int Stopped = 0;

    /// <summary>Exit code of a node that could not start or was removed from the cluster against its will.</summary>
    public const int Failed = 1;

    /// <summary>
    /// Exit code of a bad setting, or of a coordinator whose data root another coordinator holds; nothing was started.
    /// One code for both: either way the settings must change before a restart can help (two nodes given one data
    /// volume is a configuration mistake), and a supervisor that restarts on failure meets the same line again.
    /// </summary>
    public const int BadConfiguration = 2;

    /// <summary>Prefix of the lines the executable writes to stderr itself, and its log category.</summary>
    public const string Name = "backprop-server";

    /// <summary>
    /// How long the host gives its services to stop, counted from SIGTERM: it bounds Kestrel's wait for open requests.
    /// Akka.Hosting waits for CoordinatedShutdown whatever the token says (its phases have timeouts of their own);
    /// leaving a healthy cluster takes about a second. Under Kubernetes' default grace of 30 s before SIGKILL.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs a node with <paramref name="args"/> until it is stopped; returns the process's exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        var builder = CreateBuilder(args);
        ServerSettings settings;
        try
        {
            settings = ServerConfiguration.Read(builder.Configuration);
        }
        catch (ArgumentException e)
        {
            // Nothing was started; only the configuration's file watchers were.
            ((IDisposable)builder.Configuration).Dispose();
            await error.WriteLineAsync($"{Name}: {e.Message}").ConfigureAwait(false);
            return BadConfiguration;
        }

        DataRootLock? dataRoot = null;
        if (settings.Cluster.IsCoordinator && DataRootProblem(settings.Trainer.DataRoot, out dataRoot) is { } problem)
        {
            ((IDisposable)builder.Configuration).Dispose();
            await error.WriteLineAsync($"{Name}: {problem}").ConfigureAwait(false);
            return BadConfiguration;
        }

        // Held until the process ends: only this coordinator reads and writes the jobs on its data root.
        using (dataRoot)
        {
            await using var app = Build(builder, settings);
            return await RunAsync(app, settings.Cluster, error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the coordinator's lock on its data root (<see cref="DataRootLock"/>), before anything reads or writes a
    /// job there. Returns null with the lock held, or the one line that says why it cannot be taken: another process
    /// holds it (named), or the root cannot be created.
    /// </summary>
    internal static string? DataRootProblem(string root, out DataRootLock? held)
    {
        const string setting = $"{TrainerOptions.Section}:{nameof(TrainerOptions.DataRoot)}";
        try
        {
            return DataRootLock.TryAcquire(root, out held, out var holder)
                ? null
                : ClusterOptions.Problem(setting, $"'{Path.GetFullPath(root)}' is in use by another coordinator ({holder})", "stop that one first, or give this node a data root of its own").Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            held = null;
            return ClusterOptions.Problem(setting, $"cannot lock '{Path.GetFullPath(root)}': {e.Message}", "give a folder this node can create and write").Message;
        }
    }

    /// <summary>The web host's builder: appsettings.json, environment variables and <paramref name="args"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        // The content root is the executable's folder, so appsettings.json is found from any working directory.
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    /// <summary>
    /// The node's host: logging, shutdown budget, HTTP only when configured (then with the gRPC health service), the
    /// actor system, and on coordinator nodes the Trainer gRPC service (with reflection).
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder, ServerSettings settings)
    {
        var options = settings.Cluster;
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        var servesHttp = ServerConfiguration.ListensForHttp(builder.Configuration);
        if (servesHttp)
        {
            builder.Services.AddNodeHealth();
            // Kestrel's own configuration loader reads endpoints, not limits. appsettings.json gives a connection 15 s
            // to send HTTP/2's preface or its next request (default 130 s), so silent connections are closed soon.
            builder.WebHost.ConfigureKestrel(kestrel => builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));
        }
        else
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<IServer, NoHttpServer>());
        }

        builder.Services.AddAkka(ClusterRoles.SystemName, (akka, services) =>
        {
            var clusterLog = services.GetRequiredService<ILoggerFactory>().CreateLogger($"{Name}.cluster");
            // A coordinator remembers its fellow members on its data volume, to find them again after a restart.
            var memberFile = options.IsCoordinator ? new ClusterMemberFile(settings.Trainer.DataRoot) : null;
            var formerMembers = memberFile?.Read(problem => clusterLog.LogWarning("{Problem}", problem)) ?? [];
            if (formerMembers.Count > 0)
            {
                clusterLog.LogInformation("Former members, asked before this node forms a cluster of its own: {Members}", string.Join(", ", formerMembers));
            }

            akka.AddBackpropCluster(options, formerMembers)
                .WithActors((system, _) =>
                {
                    system.ActorOf(MembershipLog.Props(clusterLog, options.DownUnreachableAfter), MembershipLog.Name);
                    if (memberFile is not null)
                    {
                        system.ActorOf(ClusterMemberRecorder.Props(memberFile, clusterLog), ClusterMemberRecorder.Name);
                    }
                });
        });

        if (options.IsCoordinator)
        {
            builder.Services.AddTrainerService(settings.Trainer);
        }

        var app = builder.Build();
        if (servesHttp)
        {
            app.MapNodeHealth();
        }

        if (options.IsCoordinator)
        {
            app.MapTrainerService();
        }

        return app;
    }

    /// <summary>The exit code for the reason CoordinatedShutdown ran with (null: it did not run).</summary>
    public static int ExitCodeFor(CoordinatedShutdown.Reason? reason) =>
        reason is CoordinatedShutdown.ClusterDowningReason or CoordinatedShutdown.ClusterJoinUnsuccessfulReason or CoordinatorLostReason ? Failed : Stopped;

    /// <summary>What made the start fail, and which settings to check when remoting could not bind.</summary>
    internal static string StartFailure(Exception exception)
    {
        // Akka nests the transport's exception in aggregate exceptions, and it in turn holds the socket's.
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is RemoteTransportException)
            {
                return $"remoting could not listen ({inner.GetBaseException().Message}); check {ClusterOptions.Section}:Hostname and "
                    + $"{ClusterOptions.Section}:Port (environment variables {ClusterOptions.Section}__Hostname, {ClusterOptions.Section}__Port)";
            }
        }

        return exception.GetBaseException().Message;
    }

    private static async Task<int> RunAsync(WebApplication app, ClusterOptions options, TextWriter error)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Name);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The executable's last resort: one line instead of an unhandled exception (the log has the details).
            logger.LogCritical(e, "The node did not start");
            await error.WriteLineAsync($"{Name}: the node did not start: {StartFailure(e)}").ConfigureAwait(false);
            return Failed;
        }

        var system = app.Services.GetRequiredService<ActorSystem>();
        logger.LogInformation(
            "Node started: roles {Roles}, address {Address}, seed nodes {SeedNodes}",
            string.Join(", ", options.Roles),
            Akka.Cluster.Cluster.Get(system).SelfAddress,
            options.SeedNodes.Length == 0 ? "none (this node forms the cluster, or rejoins its former members)" : string.Join(", ", options.SeedNodes));
        if (!options.Tls.Enabled)
        {
            logger.LogWarning(
                "The cluster fabric is plaintext (Cluster:Tls:Enabled is false): any host that reaches this node's ports can join the cluster and read or alter its tensors");
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        var reason = CoordinatedShutdown.Get(system).ShutdownReason;
        var exitCode = ExitCodeFor(reason);
        if (exitCode != Stopped)
        {
            var why = reason is CoordinatorLostReason ? "left a cluster that had no coordinator" : $"was removed from the cluster ({reason?.GetType().Name})";
            await error.WriteLineAsync($"{Name}: the node {why}; restart it to rejoin").ConfigureAwait(false);
        }

        return exitCode;
    }
}
