using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Tests.Hosting;

/// <summary>A coordinator node and worker nodes in this process, on loopback with real remoting.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private LocalCluster(BackpropNode coordinator, List<BackpropNode> workers)
    {
        Coordinator = coordinator;
        Workers = workers;
    }

    public BackpropNode Coordinator { get; }

    public List<BackpropNode> Workers { get; }

    public static async Task<LocalCluster> StartAsync(
        int workers, int workerThreads = 1, int chunkBytes = 64 * 1024, bool directTensorLinks = true, int checkpointEverySteps = 0, int tensorLinkPort = 0,
        int collectiveMinBytes = 256 * 1024)
    {
        var coordinator = await BackpropNode.StartAsync(new ClusterOptions
        {
            Tls = { Enabled = false },
            Port = 0,
            MinWorkers = workers,
            ChunkBytes = chunkBytes,
            DirectTensorLinks = directTensorLinks,
            CheckpointEverySteps = checkpointEverySteps,
            CollectiveMinBytes = collectiveMinBytes,
        });
        var nodes = new List<BackpropNode>();
        for (var i = 0; i < workers; i++)
        {
            nodes.Add(await StartWorkerAsync(coordinator, workerThreads, chunkBytes, directTensorLinks, tensorLinkPort));
        }

        return new LocalCluster(coordinator, nodes);
    }

    public static Task<BackpropNode> StartWorkerAsync(BackpropNode coordinator, int threads, int chunkBytes = 64 * 1024, bool directTensorLinks = true, int tensorLinkPort = 0) =>
        BackpropNode.StartAsync(new ClusterOptions
        {
            Tls = { Enabled = false },
            Port = 0,
            Roles = [ClusterRoles.Worker],
            SeedNodes = [coordinator.Address.ToString()],
            WorkerThreads = threads,
            ChunkBytes = chunkBytes,
            DirectTensorLinks = directTensorLinks,
            TensorLinkPort = tensorLinkPort,
        });

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers)
        {
            await worker.DisposeAsync();
        }

        await Coordinator.DisposeAsync();
    }
}
