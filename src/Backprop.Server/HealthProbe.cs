using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Backprop.Server;

/// <summary>
/// <c>backprop-server --health-check [URL]</c>: asks a node's standard health service (<c>grpc.health.v1.Health/Check</c>)
/// for its overall status and exits with <see cref="Serving"/> when it answers SERVING, else <see cref="NotServing"/>.
/// Container images have no <c>grpc_health_probe</c>, so the image's HEALTHCHECK runs the node's own executable.
/// </summary>
/// <remarks>
/// Without a URL it probes this machine's own endpoint, read from the same environment variables the node listens
/// on: the first of <c>ASPNETCORE_URLS</c> (a wildcard host such as <c>+</c>, <c>*</c> or <c>0.0.0.0</c> becomes
/// 127.0.0.1), else the first of <c>ASPNETCORE_HTTP_PORTS</c> on 127.0.0.1. So in a container the probe follows
/// whatever port the node was given.
/// </remarks>
internal static class HealthProbe
{
    /// <summary>The flag that selects this mode; it must be the first argument.</summary>
    public const string Flag = "--health-check";

    /// <summary>Exit code when the node answered SERVING.</summary>
    public const int Serving = 0;

    /// <summary>Exit code for any other answer, no answer, or no URL to ask.</summary>
    public const int NotServing = 1;

    /// <summary>How long the probe waits for an answer; under Docker's default HEALTHCHECK timeout of 30 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether <paramref name="args"/> ask for a health check rather than a node.</summary>
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Flag;

    /// <summary>Probes the URL in <paramref name="args"/> (or this machine's own endpoint); returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, Func<string, string?> environment, TextWriter output, TextWriter error)
    {
        var url = args.Length > 1 ? args[1] : OwnEndpoint(environment);
        if (url is null)
        {
            await error.WriteLineAsync(
                $"{BackpropServer.Name}: {Flag}: no URL given and this node has no HTTP endpoint (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS)").ConfigureAwait(false);
            return NotServing;
        }

        try
        {
            using var channel = GrpcChannel.ForAddress(url);
            var response = await new Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + Timeout).ConfigureAwait(false);
            await output.WriteLineAsync($"{url}: {response.Status}").ConfigureAwait(false);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? Serving : NotServing;
        }
        catch (Exception e) when (e is RpcException or UriFormatException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"{BackpropServer.Name}: {Flag}: {url}: {(e is RpcException rpc ? rpc.Status.Detail : e.Message)}")
                .ConfigureAwait(false);
            return NotServing;
        }
    }

    /// <summary>The loopback URL of the endpoint the environment gives this machine's node, or null.</summary>
    public static string? OwnEndpoint(Func<string, string?> environment)
    {
        if (FirstItem(environment("ASPNETCORE_URLS")) is { } url)
        {
            // Kestrel's wildcard forms are not URIs; any of them listens on loopback too.
            var hostStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
            var hostEnd = url.LastIndexOf(':');
            if (hostStart >= 3 && hostEnd > hostStart && url[hostStart..hostEnd] is "+" or "*" or "0.0.0.0" or "[::]")
            {
                return $"{url[..hostStart]}127.0.0.1{url[hostEnd..]}";
            }

            return url;
        }

        return FirstItem(environment("ASPNETCORE_HTTP_PORTS")) is { } port ? $"http://127.0.0.1:{port}" : null;
    }

    private static string? FirstItem(string? list) =>
        list?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
