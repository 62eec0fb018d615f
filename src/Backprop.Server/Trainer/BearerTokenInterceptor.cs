using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Backprop.Server.Trainer;

/// <summary>
/// When <see cref="TrainerOptions.Token"/> is set, refuses every call without <c>authorization: Bearer &lt;token&gt;</c>
/// with <c>Unauthenticated</c>; the gRPC health service stays open so that orchestrators can probe the node.
/// </summary>
internal sealed class BearerTokenInterceptor(TrainerOptions options) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";
    private readonly byte[]? _expected = options.Token.Length == 0 ? null : Encoding.UTF8.GetBytes($"Bearer {options.Token}");

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        if (_expected is null || context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return;
        }

        var given = context.RequestHeaders.GetValue("authorization");
        // Constant time, so the comparison does not tell how much of a guess was right.
        if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authorization: a valid 'Bearer <token>' header is required (the server's Trainer:Token)"));
        }
    }
}
