using Backprop.Protocol.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrainerGrpc = Backprop.Protocol.V1.Trainer;

namespace Backprop.Server.Tests.Trainer;

/// <summary>
/// A real node in this process, both coordinator and worker, serving the Trainer service over plaintext HTTP/2 on
/// a free loopback port, with its data volume in a folder of its own; and clients for it.
/// </summary>
internal sealed class TrainerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private TrainerServer(WebApplication app, string address, string dataRoot)
    {
        _app = app;
        Address = address;
        DataRoot = dataRoot;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = null });
    }

    /// <summary>The URL the service listens on.</summary>
    public string Address { get; }

    /// <summary>The node's data volume.</summary>
    public string DataRoot { get; }

    /// <summary>The node's cluster address, for other nodes to join.</summary>
    public string ClusterAddress => Akka.Cluster.Cluster.Get(_app.Services.GetRequiredService<Akka.Actor.ActorSystem>()).SelfAddress.ToString();

    /// <summary>The channel to the node, for other services (health, reflection).</summary>
    public GrpcChannel Channel => _channel;

    /// <summary>Starts a node on <paramref name="dataRoot"/> with extra settings <paramref name="settings"/> ("Trainer:Token=x").</summary>
    public static Task<TrainerServer> StartAsync(string dataRoot, params string[] settings) => StartAsync(dataRoot, log: null, settings);

    /// <summary>Starts a node as <see cref="StartAsync(string, string[])"/> does, its log going to <paramref name="log"/> too.</summary>
    public static async Task<TrainerServer> StartAsync(string dataRoot, ILoggerProvider? log, params string[] settings)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Cluster:Port=0",
            // Plaintext, chosen as a user would choose it; TrainerTlsClusterTests turns TLS on.
            "--Cluster:Tls:Enabled=false",
            "--Cluster:Roles:0=coordinator",
            "--Cluster:Roles:1=worker",
            "--Cluster:WorkerThreads=1",
            $"--Trainer:DataRoot={dataRoot}",
            "--Logging:LogLevel:Default=Warning",
            .. settings.Select(setting => $"--{setting}"),
        ];
        var builder = BackpropServer.CreateBuilder(args);
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        var app = BackpropServer.Build(builder, ServerConfiguration.Read(builder.Configuration));
        await app.StartAsync();
        await WaitUntilUpAsync(Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<Akka.Actor.ActorSystem>()));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TrainerServer(app, address, dataRoot);
    }

    /// <summary>Waits for the node to join its cluster (until then its health is NotServing and jobs wait).</summary>
    private static async Task WaitUntilUpAsync(Akka.Cluster.Cluster cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.SelfMember.Status != Akka.Cluster.MemberStatus.Up)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the node is {cluster.SelfMember.Status}, not up, after 30 s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>A client that sends <paramref name="token"/> as a bearer token, or nothing.</summary>
    public TrainerGrpc.TrainerClient Client(string? token = null) =>
        new(token is null
            ? _channel.CreateCallInvoker()
            : _channel.CreateCallInvoker().Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token}");
                return metadata;
            }));

    /// <summary>Stops the node (leaving the cluster), as SIGTERM does; the channel stays open.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Stops the node (leaving the cluster) and closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Helpers for calling the Trainer service in tests.</summary>
internal static class TrainerCalls
{
    /// <summary>Longest a test job may take.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Every response of a watch, to the end of the stream.</summary>
    public static async Task<List<WatchJobResponse>> WatchToEndAsync(this TrainerGrpc.TrainerClient client, string jobId, int everySteps = 0)
    {
        using var timeout = new CancellationTokenSource(JobTimeout);
        using var call = client.WatchJob(new WatchJobRequest { JobId = jobId, EverySteps = everySteps }, cancellationToken: timeout.Token);
        var responses = new List<WatchJobResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
        {
            responses.Add(response);
        }

        return responses;
    }

    /// <summary>Uploads <paramref name="bytes"/> as one CSV file, in chunks of <paramref name="chunkBytes"/>.</summary>
    public static async Task<UploadDatasetResponse> UploadCsvAsync(this TrainerGrpc.TrainerClient client, string name, byte[] bytes, int chunkBytes = 1000, string? sha256 = null)
    {
        using var call = client.UploadDataset();
        for (var offset = 0; offset < bytes.Length; offset += chunkBytes)
        {
            var message = new UploadDatasetRequest { Data = Google.Protobuf.ByteString.CopyFrom(bytes, offset, Math.Min(chunkBytes, bytes.Length - offset)) };
            if (offset == 0)
            {
                message.Name = name;
                message.Format = DatasetFormat.Csv;
                message.File = $"{name}.csv";
            }

            if (offset + chunkBytes >= bytes.Length)
            {
                message.Sha256 = sha256 ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            }

            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
