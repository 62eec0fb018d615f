using System.CommandLine;
using Backprop.Core;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using TrainerClient = Backprop.Protocol.V1.Trainer.TrainerClient;

namespace Backprop.Cli.Remote;

/// <summary>
/// A channel to the server of <c>--server</c> with the <c>--token</c> header on every call (over https://, trusting
/// <c>--ca-certificate</c> when given), and the
/// runner of a verb's calls: failures leave it translated by <see cref="RpcErrors"/>.
/// </summary>
internal sealed class TrainerConnection : IDisposable
{
    /// <summary>Largest response the client accepts (a model of a few million parameters); gRPC's default of 4 MB is too small for models.</summary>
    private const int MaxResponseBytes = 256 * 1024 * 1024;

    /// <summary>How long to try to open a connection before saying the server cannot be reached.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Pings keep a long watch alive through proxies and notice a server that went away.</summary>
    private static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;
    private readonly ServerCertificateTrust? _trust;

    private TrainerConnection(string server, string? token, ServerCertificateTrust? trust)
    {
        Server = server;
        _trust = trust;
        _channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = trust?.ClientOptions() ?? new(),
                ConnectTimeout = ConnectTimeout,
                KeepAlivePingDelay = KeepAlivePingDelay,
                KeepAlivePingTimeout = KeepAlivePingDelay,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = MaxResponseBytes,
        });
        CallInvoker invoker = _channel.CreateCallInvoker();
        if (token is not null)
        {
            var header = $"Bearer {token}";
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("authorization", header);
                return metadata;
            });
        }

        Client = new TrainerClient(invoker);
    }

    /// <summary>The server's URL, as error messages name it.</summary>
    public string Server { get; }

    /// <summary>The generated client over this connection.</summary>
    public TrainerClient Client { get; }

    /// <summary>Opens a connection to the server and token that <paramref name="flags"/> give in <paramref name="parsed"/>.</summary>
    /// <exception cref="InvalidInputException">The server is not an http:// or https:// URL.</exception>
    public static TrainerConnection Open(RemoteFlags flags, ParseResult parsed)
    {
        var server = flags.ServerOf(parsed);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidInputException($"{flags.Server.Name}: '{server}' is not an http:// or https:// URL");
        }

        return new TrainerConnection(server, flags.TokenOf(parsed), flags.TrustOf(parsed));
    }

    /// <summary>
    /// Runs a verb against the server of <paramref name="parsed"/> and returns its exit code; a failed call
    /// leaves as the exception <see cref="RpcErrors"/> chose for it.
    /// </summary>
    public static int Run(RemoteFlags flags, ParseResult parsed, Func<TrainerConnection, Task<int>> verb)
    {
        using var connection = Open(flags, parsed);
        try
        {
            // Actions are synchronous like the other verbs'; a console app has no context to deadlock on.
            return verb(connection).GetAwaiter().GetResult();
        }
        catch (RpcException error)
        {
            throw RpcErrors.Translate(error, connection.Server);
        }
        catch (HttpRequestException error)
        {
            throw RpcErrors.Unreachable(error, connection.Server);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Dispose();
        _trust?.Dispose();
    }
}
