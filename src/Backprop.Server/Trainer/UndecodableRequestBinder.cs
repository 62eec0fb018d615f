using Google.Protobuf;
using Grpc.Core;

namespace Backprop.Server.Trainer;

/// <summary>
/// Binds a generated service's methods with request deserializers that answer a body that does not decode with
/// <c>InvalidArgument</c>, naming the message, instead of the <c>Unknown</c> and error-level stack trace that
/// grpc-dotnet gives any other exception from a deserializer.
/// </summary>
/// <remarks>
/// A unary request is decoded before any interceptor runs, so an interceptor cannot catch the failure; the request
/// deserializer is the one place every method's decoding passes through. grpc-dotnet logs an <see cref="RpcException"/>
/// as one information line ("Error status code 'InvalidArgument' with detail ... raised."), without the exception.
/// gRPC's table of status codes gives <c>Internal</c> for a request proto that does not parse; <c>InvalidArgument</c>
/// says what it is here: the client's fault, not the server's, and not worth retrying unchanged.
/// </remarks>
internal sealed class UndecodableRequestBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Guarded(method), handler);

    /// <summary><paramref name="method"/> with a request deserializer that turns a decoding failure into <c>InvalidArgument</c>.</summary>
    internal static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var decode = method.RequestMarshaller.ContextualDeserializer;
        var requests = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return decode(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(TRequest).Name}: {e.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }
}
