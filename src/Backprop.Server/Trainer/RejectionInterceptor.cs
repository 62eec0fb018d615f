using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Backprop.Server.Trainer;

/// <summary>
/// Turns a <see cref="RequestRejectedException"/> from any call into its gRPC status, with the message naming the
/// field; any other exception is logged and answered <c>Internal</c> without internals, and the server keeps serving.
/// </summary>
internal sealed class RejectionInterceptor(ILogger<RejectionInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpc(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpc(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpc(e, context);
        }
    }

    /// <summary>The status code of a refusal.</summary>
    public static StatusCode CodeOf(Rejection kind) => kind switch
    {
        Rejection.InvalidArgument => StatusCode.InvalidArgument,
        Rejection.NotFound => StatusCode.NotFound,
        Rejection.ResourceExhausted => StatusCode.ResourceExhausted,
        Rejection.FailedPrecondition => StatusCode.FailedPrecondition,
        Rejection.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private RpcException ToRpc(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RequestRejectedException rejected:
                return new RpcException(new Status(CodeOf(rejected.Kind), rejected.Message));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                logger.LogError(exception, "{Method} failed", context.Method);
                return new RpcException(new Status(StatusCode.Internal, $"the server failed to handle {context.Method}; its log has the details"));
        }
    }
}
