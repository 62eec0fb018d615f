using System.Diagnostics;
using System.Text.RegularExpressions;
using Backprop.Cluster.Security;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>
/// A Backprop cluster on simulated hosts: a coordinator node (<c>backprop-server</c>, role coordinator, the Trainer
/// gRPC service on 127.0.0.1:5000 of its own namespace, its data volume in a temporary folder) and worker nodes, each
/// in its own network namespace on one switch; every node listens on <see cref="NodePort"/> of its own address. The
/// client (<c>backprop</c>) runs inside the coordinator's namespace, so nothing in the root namespace is ever a target.
/// The fabric is mutual TLS, as deployments have it by default: the cluster has a CA of its own and each node a
/// certificate of it (<see cref="ClusterCertificateAuthority"/>, as <c>backprop certs</c> makes them). Dispose ends every process, writes the tail of each log to the test output, and removes the network and the
/// folder.
/// </summary>
internal sealed partial class HostCluster : IDisposable
{
    /// <summary>Remoting port of every node (each host has an address of its own).</summary>
    public const int NodePort = 4053;

    /// <summary>The port of every worker's direct tensor links (fixed, so that tests can aim at it).</summary>
    public const int TensorLinkPort = 4054;

    /// <summary>The port of the coordinator's gRPC service, on 127.0.0.1 of its namespace.</summary>
    public const int GrpcPort = 5000;

    /// <summary>How long a node may take to start and join, on a busy 2-core machine.</summary>
    public static readonly TimeSpan NodeStartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a job may take from submission to its end, faults and recoveries included.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(150);

    /// <summary>How long the emulated restart policy waits before it starts a failed node again.</summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long a short client command (submit, jobs, model, train) may take.</summary>
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The Split Brain Resolver's stable-after on every node: a lost node is downed within seconds.</summary>
    private const string DownUnreachableAfter = "00:00:03";

    private static readonly string GrpcUrl = $"http://127.0.0.1:{GrpcPort}";

    /// <summary>Flags of a watching client: every step's progress, from the coordinator's gRPC endpoint.</summary>
    private static readonly string[] WatchFlags = ["--every-steps", "1", "--server", GrpcUrl];
    private const int LogTailLines = 40;

    private readonly ITestOutputHelper _output;
    private readonly NetworkNamespaces _network = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("backprop-multihost-").FullName;
    private readonly List<HostProcess> _processes = [];
    private readonly List<HostProcess> _nodes = [];
    private readonly List<ClusterNode> _workers = [];
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("multi-host cluster CA", TimeSpan.FromDays(1));
    private readonly int _minWorkers;
    private readonly int _workerThreads;
    private int _clients;
    private bool _disposed;

    private HostCluster(ITestOutputHelper output, int minWorkers, int workerThreads)
    {
        _output = output;
        _minWorkers = minWorkers;
        _workerThreads = workerThreads;
        CoordinatorHost = _network.AddHost();
        Directory.CreateDirectory(DataRoot);
        _authority.Save(CertificatesFolder);
    }

    /// <summary>The cluster's CA certificate and the nodes' certificates (its key too: only the harness issues).</summary>
    public string CertificatesFolder => Path.Combine(_scratch, "certs");

    /// <summary>The coordinator's host (the first address of the network, until <see cref="MoveCoordinatorAsync"/>).</summary>
    public NamespaceHost CoordinatorHost { get; private set; }

    /// <summary>The coordinator's current process.</summary>
    public HostProcess Coordinator { get; private set; } = null!;

    /// <summary>Every node process started so far (coordinators and workers, restarted ones too), not the clients.</summary>
    public IReadOnlyList<HostProcess> NodeProcesses
    {
        get
        {
            lock (_processes)
            {
                return _nodes.ToList();
            }
        }
    }

    /// <summary>The worker nodes, in the order they were added.</summary>
    public IReadOnlyList<ClusterNode> Workers => _workers;

    /// <summary>The coordinator's data volume (jobs, models); it outlives a coordinator process.</summary>
    public string DataRoot => Path.Combine(_scratch, "data");

    private static string ServerDll => Path.Combine(AppContext.BaseDirectory, "backprop-server.dll");

    private static string ClientDll => Path.Combine(AppContext.BaseDirectory, "backprop.dll");

    /// <summary>
    /// The seed of the workers: the coordinator's current address, as compose's DNS gives a restarted worker the
    /// coordinator's new one.
    /// </summary>
    private string CoordinatorSeed => $"akka.tcp://backprop@{CoordinatorHost.Address}:{NodePort}";

    /// <summary>
    /// Starts a coordinator and <paramref name="workers"/> workers, and waits until every one has joined. Each job's
    /// first step waits for that many ready workers (<c>Cluster__MinWorkers</c>), so that every one of them is in it.
    /// Every node runs under an emulated restart policy, as users run them (compose's <c>restart: unless-stopped</c>,
    /// Kubernetes' pods): a node whose process exits non-zero on its own (downed, or a worker that lost its coordinator)
    /// is started again a second later with the same settings; processes the test kills or stops itself are left alone,
    /// as docker leaves a container stopped by hand. A healthy node downed by mistake on this busy machine therefore
    /// comes back, as it would in a deployment, instead of leaving a job short of workers for good. Each worker computes on <paramref name="workerThreads"/> threads (0: one per core).
    /// </summary>
    public static async Task<HostCluster> StartAsync(ITestOutputHelper output, int workers, int workerThreads = 1)
    {
        var cluster = new HostCluster(output, minWorkers: workers, workerThreads);
        try
        {
            await cluster.StartCoordinatorAsync();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => cluster.AddWorkerAsync()));
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Steps between a job's checkpoints on the coordinator.</summary>
    public const int CheckpointEverySteps = 25;

    /// <summary>
    /// Starts a coordinator process on the data volume and waits until it has joined and serves gRPC. Started again
    /// after a crash, it has exactly the settings it had (no seed nodes), as a restart policy gives it: it finds the
    /// workers through the members it remembers on its volume.
    /// </summary>
    public async Task StartCoordinatorAsync()
    {
        Coordinator = StartCoordinator();
        await Coordinator.WaitForLineAsync("(this node)", NodeStartTimeout);
        await Coordinator.WaitForLineAsync("Now listening on", NodeStartTimeout);
    }

    /// <summary>
    /// Starts the coordinator on a new host (the next address of the network) with the same data volume and settings,
    /// as compose or Kubernetes may place a restarted container on a new address; clients follow it there.
    /// </summary>
    public Task MoveCoordinatorAsync()
    {
        CoordinatorHost = _network.AddHost();
        return StartCoordinatorAsync();
    }

    /// <summary>Adds a host with a worker node joining the coordinator, and waits until it is up.</summary>
    public async Task<ClusterNode> AddWorkerAsync()
    {
        var worker = AddWorker();
        await worker.Process.WaitForLineAsync("(this node)", NodeStartTimeout);
        return worker;
    }

    /// <summary>
    /// Adds a host with a worker node that tries to join the coordinator until it can, cut off from the start, and
    /// waits until its process has started: healing the host (<see cref="Faults.Heal"/>) then joins it within a second
    /// or two, with no start-up time in between.
    /// </summary>
    public async Task<ClusterNode> AddPartitionedWorkerAsync()
    {
        var worker = AddWorker(partitioned: true);
        await worker.Process.WaitForLineAsync("Node started", NodeStartTimeout);
        return worker;
    }

    /// <summary>
    /// Adds a host with a stranger's worker node that tries to join the coordinator: a plain <c>backprop-server</c> worker
    /// with nothing but the seed address and the cluster CA's public certificate, holding a certificate of
    /// <paramref name="stranger"/> (or, when null, none: plaintext). Not supervised; waits until its process has started.
    /// </summary>
    public async Task<ClusterNode> AddRogueWorkerAsync(ClusterCertificateAuthority? stranger)
    {
        var rogue = new ClusterNode(stranger is null ? "plaintext rogue" : "rogue", _network.AddHost());
        var environment = new Dictionary<string, string>
        {
            ["Cluster__Roles__0"] = "worker",
            ["Cluster__Hostname"] = rogue.Host.Address,
            ["Cluster__Port"] = $"{NodePort}",
            ["Cluster__SeedNodes__0"] = CoordinatorSeed,
        };
        if (stranger is null)
        {
            environment["Cluster__Tls__Enabled"] = "false";
        }
        else
        {
            AddCertificate(environment, stranger, "rogue", rogue.Host);
        }

        rogue.Process = Track(HostProcess.Start(rogue.Name, rogue.Host, ServerDll, [], environment, _scratch));
        await rogue.Process.WaitForLineAsync("Node started", NodeStartTimeout);
        return rogue;
    }

    /// <summary>A host on the cluster's switch with nothing running on it: a stranger's machine.</summary>
    public NamespaceHost AddHost() => _network.AddHost();

    /// <summary>A certificate of the cluster's CA, with its key, for a test that plays a holder of one.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 IssueCertificate(string name) =>
        _authority.Issue(name, [], [], TimeSpan.FromDays(1));

    /// <summary>Starts <paramref name="worker"/>'s node again (as a supervisor would after it exited) and waits until it is up.</summary>
    public async Task RestartAsync(ClusterNode worker)
    {
        worker.Process = StartWorker(worker);
        await worker.Process.WaitForLineAsync("(this node)", NodeStartTimeout);
    }

    /// <summary>
    /// Waits until the restart policy has started <paramref name="worker"/> again after its process
    /// <paramref name="exited"/> ended on its own, and until the new process is up.
    /// </summary>
    public async Task WaitForRestartAsync(ClusterNode worker, HostProcess exited)
    {
        var deadline = Stopwatch.StartNew();
        while (ReferenceEquals(worker.Process, exited))
        {
            Assert.True(deadline.Elapsed < NodeStartTimeout, $"the restart policy did not start {worker.Name} again");
            await Task.Delay(100);
        }

        await worker.Process.WaitForLineAsync("(this node)", NodeStartTimeout);
    }

    /// <summary>Submits <paramref name="job"/> and returns its id.</summary>
    public async Task<string> SubmitAsync(TrainingJob job, string name)
    {
        var output = await RunClientAsync(["submit", .. job.Flags(), "--name", name, "--server", GrpcUrl]);
        var match = SubmittedLine().Match(output);
        Assert.True(match.Success, $"no job id in the output of submit:\n{output}");
        return match.Groups[1].Value;
    }

    /// <summary>
    /// Trains <paramref name="job"/> in one process for reference, submits it, and waits until the cluster has done
    /// step <paramref name="untilStep"/>, where the test injects its fault.
    /// </summary>
    public async Task<RunningJob> StartJobAsync(TrainingJob job, string name, int untilStep)
    {
        var reference = await TrainReferenceAsync(job, name);
        var (watch, jobId) = await SubmitAndWatchAsync(job, name);
        await watch.WaitForLineAsync(WatchOutput.StepAtLeast(untilStep), $"step {untilStep}", JobTimeout);
        return new RunningJob(job, jobId, watch, reference);
    }

    /// <summary>Waits for <paramref name="run"/> to succeed and asserts that its model equals the undisturbed run's, byte for byte.</summary>
    public async Task AssertUndisturbedAsync(RunningJob run)
    {
        await AssertSucceededAsync(run.Watch);
        ModelFiles.AssertIdentical(run.ReferenceModel, await DownloadModelAsync(run.Id));
    }

    /// <summary>
    /// Submits <paramref name="job"/> with <c>--watch</c> (one progress line per step, from its first step on: a small
    /// job may end within a second) and returns the watching client, which ends with the job, and the job's id.
    /// </summary>
    public async Task<(HostProcess Watch, string JobId)> SubmitAndWatchAsync(TrainingJob job, string name)
    {
        var watch = StartClient($"submit {name} --watch", ["submit", .. job.Flags(), "--name", name, "--watch", .. WatchFlags]);
        var submitted = await watch.WaitForLineAsync(line => SubmittedLine().IsMatch(line), "the job id", ClientTimeout);
        return (watch, SubmittedLine().Match(submitted.Text).Groups[1].Value);
    }

    /// <summary>Starts <c>backprop watch</c> of <paramref name="jobId"/>, one progress line per step; it ends with the job.</summary>
    public HostProcess Watch(string jobId) => StartClient($"watch {jobId}", ["watch", jobId, .. WatchFlags]);

    /// <summary>Follows <paramref name="watch"/> to its end and asserts that the job succeeded (exit code 0).</summary>
    public static async Task AssertSucceededAsync(HostProcess watch)
    {
        var exitCode = await watch.WaitForExitAsync(JobTimeout);
        Assert.True(exitCode == 0, $"{watch.Name} exited with {exitCode}, not 0 (succeeded)\n{watch.Tail(20)}");
    }

    /// <summary>The output of <c>backprop jobs</c>.</summary>
    public Task<string> ListJobsAsync() => RunClientAsync(["jobs", "--server", GrpcUrl]);

    /// <summary>Trains <paramref name="job"/> in one process (<c>backprop train</c>, no cluster) and returns its model file.</summary>
    public async Task<string> TrainReferenceAsync(TrainingJob job, string name)
    {
        var path = Path.Combine(_scratch, $"{name}.reference.json");
        await RunClientAsync(["train", .. job.Flags(), "--out", path]);
        return path;
    }

    /// <summary>Downloads the model of <paramref name="jobId"/> (<c>backprop model</c>) and returns its file.</summary>
    public async Task<string> DownloadModelAsync(string jobId)
    {
        var path = Path.Combine(_scratch, $"{jobId}.json");
        await RunClientAsync(["model", jobId, "--out", path, "--server", GrpcUrl]);
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        foreach (var process in _processes.ToList())
        {
            process.Dispose();
            _output.WriteLine(process.Tail(LogTailLines));
        }

        _network.Dispose();
        _authority.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    /// <summary>Runs the client to its end in the coordinator's namespace and returns its output; throws unless it exits with 0.</summary>
    private async Task<string> RunClientAsync(string[] arguments)
    {
        using var client = HostProcess.Start($"backprop {arguments[0]}", CoordinatorHost, ClientDll, arguments, new Dictionary<string, string>(), _scratch);
        var exitCode = await client.WaitForExitAsync(ClientTimeout);
        Assert.True(exitCode == 0, $"backprop {string.Join(' ', arguments)} exited with {exitCode}\n{client.Log}");
        return client.Log;
    }

    private ClusterNode AddWorker(bool partitioned = false)
    {
        lock (_workers)
        {
            var host = _network.AddHost();
            if (partitioned)
            {
                Faults.Partition(host);
            }

            var worker = new ClusterNode($"worker {_workers.Count + 1}", host);
            worker.Process = StartWorker(worker);
            _workers.Add(worker);
            return worker;
        }
    }

    private HostProcess StartWorker(ClusterNode worker)
    {
        var environment = NodeEnvironment("worker", worker.Host, worker.Name);
        environment["Cluster__SeedNodes__0"] = CoordinatorSeed;
        environment["Cluster__WorkerThreads"] = $"{_workerThreads}";
        environment["Cluster__TensorLinkPort"] = $"{TensorLinkPort}";
        var process = TrackNode(HostProcess.Start(worker.Name, worker.Host, ServerDll, [], environment, _scratch));
        RestartOnFailure(process, () => worker.Process = StartWorker(worker));
        return process;
    }

    /// <summary>
    /// Starts a second coordinator by mistake: on the coordinator's host, with its settings and data volume, not
    /// supervised. It must exit with 2 before it touches the volume.
    /// </summary>
    public HostProcess StartSecondCoordinator() => Track(HostProcess.Start("second coordinator", CoordinatorHost, ServerDll, [], CoordinatorEnvironment(), _scratch));

    private HostProcess StartCoordinator()
    {
        var process = TrackNode(HostProcess.Start("coordinator", CoordinatorHost, ServerDll, [], CoordinatorEnvironment(), _scratch));
        RestartOnFailure(process, () => Coordinator = StartCoordinator());
        return process;
    }

    private Dictionary<string, string> CoordinatorEnvironment()
    {
        var environment = NodeEnvironment("coordinator", CoordinatorHost, "coordinator");
        environment["ASPNETCORE_URLS"] = GrpcUrl;
        environment["Trainer__DataRoot"] = DataRoot;
        environment["Cluster__MinWorkers"] = $"{_minWorkers}";
        // Checkpoints every few steps, so that a coordinator killed mid-job resumes from one.
        environment["Cluster__CheckpointEverySteps"] = $"{CheckpointEverySteps}";
        // The test models are small (18 KB of parameters), which by default reduce at the coordinator: every fault here
        // must be met during the workers' own reduction (reduce-scatter and all-gather), as large models meet it.
        environment["Cluster__CollectiveMinBytes"] = "0";
        return environment;
    }

    /// <summary>The emulated restart policy (<see cref="StartAsync"/>): starts a node again after it failed on its own.</summary>
    private void RestartOnFailure(HostProcess process, Action restart)
    {
        _ = process.Exited.ContinueWith(
            async exited =>
            {
                if (exited.Result == 0 || process.StoppedByTest || _disposed)
                {
                    return;
                }

                // Docker waits 100 ms before the first restart and doubles that for each further one; a second is the
                // order of what a container restart takes.
                await Task.Delay(RestartDelay);
                if (!_disposed)
                {
                    // The node's own log shows why it exited; the next one's log follows it in the test output.
                    restart();
                }
            },
            TaskScheduler.Default);
    }

    /// <summary>A long-running client (watch), tracked so that dispose ends it and shows its log.</summary>
    private HostProcess StartClient(string what, string[] arguments)
    {
        var number = Interlocked.Increment(ref _clients);
        return Track(HostProcess.Start($"client {number} ({what})", CoordinatorHost, ClientDll, arguments, new Dictionary<string, string>(), _scratch));
    }

    /// <summary>A node's settings: its role, address and TLS certificate (issued for <paramref name="name"/> and the host's address).</summary>
    private Dictionary<string, string> NodeEnvironment(string role, NamespaceHost host, string name)
    {
        var environment = new Dictionary<string, string>
        {
            ["Cluster__Roles__0"] = role,
            ["Cluster__Hostname"] = host.Address,
            ["Cluster__Port"] = $"{NodePort}",
            ["Cluster__DownUnreachableAfter"] = DownUnreachableAfter,
        };
        AddCertificate(environment, _authority, name, host);
        return environment;
    }

    /// <summary>
    /// Issues <paramref name="host"/> a certificate of <paramref name="authority"/> for <paramref name="name"/>, writes it to
    /// <see cref="CertificatesFolder"/> and sets it, with the cluster's CA, in <paramref name="environment"/>.
    /// </summary>
    private void AddCertificate(Dictionary<string, string> environment, ClusterCertificateAuthority authority, string name, NamespaceHost host)
    {
        var file = name.Replace(' ', '-');
        using (var certificate = authority.Issue(file, [], [System.Net.IPAddress.Parse(host.Address)], TimeSpan.FromDays(1)))
        {
            ClusterCertificateAuthority.WritePem(certificate, CertificatesFolder, $"{file}.crt", $"{file}.key");
        }

        environment["Cluster__Tls__Certificate"] = Path.Combine(CertificatesFolder, $"{file}.crt");
        environment["Cluster__Tls__CertificateKey"] = Path.Combine(CertificatesFolder, $"{file}.key");
        environment["Cluster__Tls__CaCertificate"] = Path.Combine(CertificatesFolder, ClusterCertificateAuthority.CertificateFile);
    }

    private HostProcess TrackNode(HostProcess process)
    {
        lock (_processes)
        {
            _nodes.Add(process);
        }

        return Track(process);
    }

    private HostProcess Track(HostProcess process)
    {
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    [GeneratedRegex(@"^job (\S+) submitted", RegexOptions.Multiline)]
    private static partial Regex SubmittedLine();
}
