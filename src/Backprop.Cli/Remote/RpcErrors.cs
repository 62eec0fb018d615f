using Backprop.Core;
using Grpc.Core;

namespace Backprop.Cli.Remote;

/// <summary>
/// The one place that turns failed calls into the CLI's errors: statuses that say the request was wrong
/// become <see cref="InvalidInputException"/> (exit 2), everything else <see cref="RemoteCallException"/> (exit 1).
/// </summary>
internal static class RpcErrors
{
    /// <summary>Statuses by which the server rejects what the user asked for; its detail says how.</summary>
    private static readonly HashSet<StatusCode> Rejections =
    [
        StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition, StatusCode.ResourceExhausted,
        StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.AlreadyExists,
    ];

    /// <summary>The exception to throw instead of <paramref name="error"/>, a failed call to <paramref name="server"/>.</summary>
    public static Exception Translate(RpcException error, string server)
    {
        ArgumentNullException.ThrowIfNull(error);
        var detail = OneLine(string.IsNullOrEmpty(error.Status.Detail) ? error.StatusCode.ToString() : error.Status.Detail);
        if (Rejections.Contains(error.StatusCode))
        {
            return new InvalidInputException(detail);
        }

        if (Untrusted(error.Status.DebugException) is { } refusal)
        {
            return new RemoteCallException(
                $"cannot reach {server} securely: {OneLine(refusal.Message)}; if a CA of your own signed its certificate, give it with --ca-certificate", error);
        }

        return error.StatusCode == StatusCode.Unavailable
            ? new RemoteCallException($"cannot reach {server}: {detail}", error)
            : new RemoteCallException($"server error: {detail} ({error.StatusCode})", error);
    }

    /// <summary>The exception to throw instead of a transport failure (no connection, a broken stream) talking to <paramref name="server"/>.</summary>
    public static Exception Unreachable(Exception error, string server)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RemoteCallException($"cannot reach {server}: {OneLine(error.Message)}", error);
    }

    /// <summary>The TLS refusal of the server's certificate among <paramref name="error"/>'s causes, if that is why the call failed.</summary>
    private static System.Security.Authentication.AuthenticationException? Untrusted(Exception? error)
    {
        for (var cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is System.Security.Authentication.AuthenticationException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
