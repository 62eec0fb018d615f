using System.Net;
using System.Security.Cryptography.X509Certificates;
using Backprop.Cluster.Security;
using Backprop.Protocol.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Backprop.Server.Tests.Trainer;

/// <summary>
/// The Trainer service over TLS as docs/server.md configures it (Kestrel's PEM certificate settings, a node certificate
/// of <c>backprop certs</c>) with a token, called by a client that knows only the .proto and trusts only that CA.
/// </summary>
public sealed class TrainerHttpsTests : IAsyncLifetime
{
    private const string Token = "s3cret-token";
    private readonly string _folder = Directory.CreateTempSubdirectory("backprop-https-").FullName;
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("test cluster CA", TimeSpan.FromDays(1));
    private TrainerServer _server = null!;

    public async Task InitializeAsync()
    {
        using (var certificate = _authority.Issue("coordinator", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(1)))
        {
            ClusterCertificateAuthority.WritePem(certificate, _folder, "coordinator.crt", "coordinator.key");
        }

        _server = await TrainerServer.StartAsync(
            Path.Combine(_folder, "data"),
            "urls=https://127.0.0.1:0",
            $"Kestrel:Certificates:Default:Path={Path.Combine(_folder, "coordinator.crt")}",
            $"Kestrel:Certificates:Default:KeyPath={Path.Combine(_folder, "coordinator.key")}",
            $"Trainer:Token={Token}");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _authority.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task SubmitWatchModel_OverTlsWithTheToken_Work()
    {
        using var channel = Channel(_server.Address, trustCa: true);
        var client = new Protocol.V1.Trainer.TrainerClient(channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {Token}");
            return metadata;
        }));

        var upload = await client.UploadCsvAsync("quadrants", TestJobs.QuadrantsCsv());
        var jobId = (await client.SubmitJobAsync(TestJobs.Request(new DatasetReference { UploadedId = upload.DatasetId }))).JobId;
        var events = await client.WatchToEndAsync(jobId);
        var model = await client.GetModelAsync(new GetModelRequest { JobId = jobId });

        Assert.StartsWith("https://", _server.Address);
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        Assert.True(model.Final);
    }

    [Fact]
    public async Task ListJobs_OverTlsWithoutTheToken_Unauthenticated()
    {
        using var channel = Channel(_server.Address, trustCa: true);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Protocol.V1.Trainer.TrainerClient(channel).ListJobsAsync(new ListJobsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task ListJobs_PlaintextClientAgainstTheTlsPort_Fails()
    {
        using var channel = Channel(_server.Address.Replace("https://", "http://", StringComparison.Ordinal), trustCa: false);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Protocol.V1.Trainer.TrainerClient(channel).ListJobsAsync(new ListJobsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task ListJobs_ClientThatTrustsOnlyTheMachinesCas_RefusesTheServer()
    {
        using var channel = Channel(_server.Address, trustCa: false);

        var error = await Assert.ThrowsAsync<RpcException>(() => new Protocol.V1.Trainer.TrainerClient(channel).ListJobsAsync(new ListJobsRequest()).ResponseAsync);

        // grpc-dotnet reports a failed TLS handshake as Internal, naming the SSL connection.
        Assert.Contains("SSL", error.Status.DebugException?.ToString() ?? error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A channel to <paramref name="address"/>; with <paramref name="trustCa"/> it trusts the test's CA, and only it.</summary>
    private GrpcChannel Channel(string address, bool trustCa)
    {
        var handler = new SocketsHttpHandler();
        if (trustCa)
        {
            var authority = X509CertificateLoader.LoadCertificate(_authority.Certificate.RawData);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = null });
    }
}
