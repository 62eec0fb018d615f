using System.Net;
using Backprop.Cluster.Security;

namespace Backprop.Cluster.Hosting;

/// <summary>
/// How a node joins the cluster: bound from the <c>Cluster</c> section of appsettings.json and
/// overridable by environment variables <c>Cluster__Key</c> (arrays: <c>Cluster__SeedNodes__0</c>).
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string Section = "Cluster";

    /// <summary>Largest <see cref="ChunkBytes"/> accepted: remoting frames stay small enough for heartbeats to pass.</summary>
    public const int MaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>Address the remoting transport listens on ("0.0.0.0" for every interface).</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>
    /// Address other nodes use to reach this one (empty: <see cref="AdvertisedHostname"/> picks one). In docker
    /// compose: the service name, or empty for replicas of a scaled service.
    /// </summary>
    public string PublicHostname { get; set; } = "";

    /// <summary>Remoting port; 0 picks a free one (a seed node needs a fixed port).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>Seed nodes, e.g. "akka.tcp://backprop@coordinator:4053"; empty: this node forms a new cluster by joining itself.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>"coordinator", "worker" or both.</summary>
    public string[] Roles { get; set; } = [ClusterRoles.Coordinator];

    /// <summary>Threads a worker computes on; 0 = one per core.</summary>
    public int WorkerThreads { get; set; }

    /// <summary>
    /// Tensors larger than this travel as several messages of at most this many bytes. The default keeps every
    /// buffer of a message under the large-object threshold (85,000 bytes): larger chunks were three times
    /// slower per step, from full garbage collections of the large-object heap.
    /// </summary>
    public int ChunkBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Carry θ and gradient sums over a direct TCP link between coordinator and worker (a free port on
    /// <see cref="Hostname"/>), instead of as remoting chunks: far fewer copies and thread hand-offs per step.
    /// Where the link cannot be opened, the chunks are used.
    /// </summary>
    public bool DirectTensorLinks { get; set; } = true;

    /// <summary>The port a worker listens on for direct tensor links; 0 picks a free one (give a fixed one to open it in a firewall).</summary>
    public int TensorLinkPort { get; set; }

    /// <summary>
    /// How long writing one frame to a direct tensor link may take. A peer that stops reading (paused, cut off) would
    /// otherwise hold the frame for as long as TCP retries; past this the link closes and the job drops the worker. A
    /// whole θ of the 50 M-parameter limit (200 MB) takes 16 s at 100 Mbit/s.
    /// </summary>
    public TimeSpan TensorSendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Jobs whose parameters take at least this many bytes (4 per parameter) reduce their gradients among the workers
    /// (reduce-scatter to slice owners, all-gather of θ), when a step has two workers or more with tensor links; smaller
    /// ones send every block's sums to the coordinator, which for them is faster (fewer hops, and bandwidth is no issue).
    /// </summary>
    public int CollectiveMinBytes { get; set; } = 256 * 1024;

    /// <summary>Ready workers a job waits for before its first step; later steps go on with any ready worker.</summary>
    public int MinWorkers { get; set; } = 1;

    /// <summary>Jobs that train at the same time; the rest wait in FIFO order.</summary>
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>How long the Split Brain Resolver waits on an unreachable node before downing it (keep-majority).</summary>
    public TimeSpan DownUnreachableAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A worker node (not also a coordinator) whose cluster has had no reachable coordinator this long leaves it and
    /// exits non-zero, so that its restart policy starts it again and it joins the seed nodes
    /// (<see cref="Worker.CoordinatorWatch"/>). Longer than a coordinator takes to restart and rejoin (seconds).
    /// </summary>
    public TimeSpan CoordinatorLostAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A running job takes a checkpoint after this many steps; 0: by <see cref="CheckpointInterval"/> only.</summary>
    public int CheckpointEverySteps { get; set; }

    /// <summary>A running job takes a checkpoint when this much time has passed since its last one (checked after each step).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a running job's step may go without any block arriving while it has workers to compute it. After one
    /// such wait θ and the step's outstanding blocks are sent again; after a second, the job fails naming the blocks and
    /// workers it waited on. A safety net under the fault rules, so generous: a single block may take this long.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Mutual TLS on remoting and tensor links (<c>Cluster:Tls</c>).</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// The address this node gives other nodes, for remoting and direct tensor links: <see cref="PublicHostname"/>
    /// when set; else <see cref="Hostname"/>, unless that is a wildcard (0.0.0.0, ::) that no other node can dial,
    /// and then this machine's host name. A container's host name is its own (a replica of a scaled compose
    /// service gets its container id, which the compose network resolves), so replicas need no setting each.
    /// </summary>
    public string AdvertisedHostname =>
        !string.IsNullOrWhiteSpace(PublicHostname) ? PublicHostname
        : IPAddress.TryParse(Hostname, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) ? Dns.GetHostName()
        : Hostname;

    /// <summary>Whether this node hosts the job manager and its training coordinators.</summary>
    public bool IsCoordinator => Roles.Contains(ClusterRoles.Coordinator);

    /// <summary>Whether this node computes gradients.</summary>
    public bool IsWorker => Roles.Contains(ClusterRoles.Worker);

    /// <summary>The threads a worker on this machine computes on.</summary>
    public int EffectiveWorkerThreads => WorkerThreads > 0 ? WorkerThreads : Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting and how to fix it.</summary>
    public void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(Hostname), "Hostname", $"must be an address to listen on, got '{Hostname}'", "e.g. 0.0.0.0 or 127.0.0.1");
        Check(Port is >= 0 and <= 65535, "Port", $"must be 0..65535, got {Port}", "e.g. 4053");
        Check(Roles.Length > 0, "Roles", "must name at least one role", $"use '{ClusterRoles.Coordinator}' and/or '{ClusterRoles.Worker}'");
        foreach (var role in Roles)
        {
            Check(role is ClusterRoles.Coordinator or ClusterRoles.Worker, "Roles", $"unknown role '{role}'", $"use '{ClusterRoles.Coordinator}' or '{ClusterRoles.Worker}'");
        }

        for (var i = 0; i < SeedNodes.Length; i++)
        {
            var seed = SeedNodes[i];
            var valid = Uri.TryCreate(seed, UriKind.Absolute, out var uri) && uri.Scheme is "akka.tcp" or "akka.ssl.tcp"
                && uri.UserInfo == ClusterRoles.SystemName && uri.Port > 0;
            Check(valid, $"SeedNodes:{i}", $"'{seed}' is not a seed address", $"write akka.tcp://{ClusterRoles.SystemName}@HOST:PORT");
        }

        Check(TensorLinkPort is >= 0 and <= 65535, "TensorLinkPort", $"must be 0..65535, got {TensorLinkPort}", "0 picks a free port");
        Check(CollectiveMinBytes >= 0, "CollectiveMinBytes", $"must be 0 or more, got {CollectiveMinBytes}", "e.g. 262144");
        Check(TensorSendTimeout > TimeSpan.Zero, "TensorSendTimeout", $"must be positive, got {TensorSendTimeout}", "e.g. 00:00:30");
        Check(WorkerThreads >= 0, "WorkerThreads", $"must be ≥ 0, got {WorkerThreads}", "0 uses every core");
        Check(ChunkBytes is >= 4096 and <= MaxChunkBytes, "ChunkBytes", $"must be 4096..{MaxChunkBytes}, got {ChunkBytes}", "the default is 65536");
        Check(MinWorkers >= 1, "MinWorkers", $"must be ≥ 1, got {MinWorkers}", "the default is 1");
        Check(MaxConcurrentJobs >= 1, "MaxConcurrentJobs", $"must be ≥ 1, got {MaxConcurrentJobs}", "the default is 1");
        Check(CheckpointEverySteps >= 0, "CheckpointEverySteps", $"must be ≥ 0, got {CheckpointEverySteps}", "0 checkpoints by CheckpointInterval only");
        Check(CheckpointInterval > TimeSpan.Zero, "CheckpointInterval", $"must be positive, got {CheckpointInterval}", "e.g. 00:00:30");
        Check(StallTimeout > TimeSpan.Zero, "StallTimeout", $"must be positive, got {StallTimeout}", "e.g. 00:05:00");
        Check(DownUnreachableAfter > TimeSpan.Zero, "DownUnreachableAfter", $"must be positive, got {DownUnreachableAfter}", "e.g. 00:00:20");
        Check(CoordinatorLostAfter >= TimeSpan.FromSeconds(1), "CoordinatorLostAfter", $"must be at least 1 s, got {CoordinatorLostAfter}", "e.g. 00:00:30");
        if (Tls.Enabled)
        {
            Check(!string.IsNullOrWhiteSpace(Tls.Certificate), "Tls:Certificate", "is required with TLS on", "give this node's certificate, e.g. /certs/node.crt from backprop certs node");
            Check(!string.IsNullOrWhiteSpace(Tls.CaCertificate), "Tls:CaCertificate", "is required with TLS on", "give the cluster CA's certificate, e.g. /certs/ca.crt from backprop certs init");
        }
    }

    /// <summary>
    /// The error for a bad setting at configuration <paramref name="path"/> ("Cluster:Port"): the key, the problem,
    /// how to fix it, and the environment variable that sets it.
    /// </summary>
    public static ArgumentException Problem(string path, string problem, string fix) =>
        new($"{path}: {problem}; {fix} (environment variable {path.Replace(":", "__", StringComparison.Ordinal)})");

    private static void Check(bool condition, string key, string problem, string fix)
    {
        if (!condition)
        {
            throw Problem($"{Section}:{key}", problem, fix);
        }
    }
}
