using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace Backprop.Server.Trainer;

/// <summary>
/// When <see cref="TrainerOptions.Token"/> is set, refuses every request without <c>authorization: Bearer &lt;token&gt;</c>
/// with a trailers-only gRPC response, <c>Unauthenticated</c>, before its body is read or decoded; the gRPC health
/// service stays open so that orchestrators can probe the node.
/// </summary>
/// <remarks>
/// ASP.NET Core middleware, not a gRPC interceptor: interceptors run after the request has been decoded, so a client
/// without the token could make the server parse anything it sends. Failures are counted per client address
/// (<see cref="AuthenticationFailures"/>): a refusal is logged as one line while the log's budget lasts, and an
/// address over its limit is answered <c>ResourceExhausted</c>, unlogged, until its window ends.
/// </remarks>
internal sealed class BearerTokenMiddleware(
    RequestDelegate next, TrainerOptions options, AuthenticationFailures failures, ILogger<BearerTokenMiddleware> logger)
{
    private const string HealthService = "/grpc.health.v1.Health";

    // Compared as hashes: equal lengths, so the time taken tells neither how much of a guess was right nor how long
    // the token is.
    private readonly byte[] _expected = Hash($"Bearer {options.Token}");

    /// <summary>Lets <paramref name="context"/> through to the endpoint when it carries the token or asks for health.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(HealthService, StringComparison.Ordinal))
        {
            return next(context);
        }

        var given = context.Request.Headers.Authorization;
        if (given.Count == 1 && CryptographicOperations.FixedTimeEquals(Hash(given.ToString()), _expected))
        {
            return next(context);
        }

        var address = context.Connection.RemoteIpAddress;
        switch (failures.Record(address))
        {
            case AuthenticationFailureAnswer.Throttle:
                return Refuse(context, StatusCode.ResourceExhausted, "too many calls without a valid bearer token from this address; wait, then call with the server's Trainer:Token");
            case AuthenticationFailureAnswer.RefuseAndLog:
                // The endpoint's name comes from the service's routes, never from the request's own bytes.
                logger.LogWarning(
                    "Refused a call to {Endpoint} from {Address}: {Problem}",
                    context.GetEndpoint()?.DisplayName ?? "no service",
                    address?.ToString() ?? "an unknown address",
                    given.Count == 0 ? "no bearer token" : "wrong bearer token");
                break;
        }

        return Refuse(context, StatusCode.Unauthenticated, "authorization: a valid 'Bearer <token>' header is required (the server's Trainer:Token)");
    }

    /// <summary>
    /// Answers with a trailers-only response: HTTP 200 and the gRPC status in the headers, no body. The request's body
    /// is left unread; the server resets the stream once the response is sent.
    /// </summary>
    private static Task Refuse(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        // The messages are printable ASCII without '%', so they need no percent-encoding.
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = message;
        return Task.CompletedTask;
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
