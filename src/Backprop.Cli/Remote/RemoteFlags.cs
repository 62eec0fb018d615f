using System.CommandLine;

namespace Backprop.Cli.Remote;

/// <summary>The flags every client verb takes: which server to call, the token to call it with, and the CA to trust for it.</summary>
internal sealed class RemoteFlags
{
    /// <summary>The server when neither <c>--server</c> nor <see cref="ServerVariable"/> names one.</summary>
    public const string DefaultServer = "http://localhost:5000";

    /// <summary>Environment variable with the default of <c>--server</c>.</summary>
    public const string ServerVariable = "BACKPROP_SERVER";

    /// <summary>Environment variable with the default of <c>--token</c>.</summary>
    public const string TokenVariable = "BACKPROP_TOKEN";

    /// <summary>Environment variable with the default of <c>--ca-certificate</c>.</summary>
    public const string CaCertificateVariable = "BACKPROP_CA_CERTIFICATE";

    public Option<string?> Server { get; } = new("--server") { Description = $"URL of a coordinator's gRPC endpoint (default: ${ServerVariable}, else {DefaultServer})" };

    // No DefaultValueFactory: help prints defaults, and a token must not appear there.
    public Option<string?> Token { get; } = new("--token") { Description = $"Bearer token sent with every call (default: ${TokenVariable})" };

    public Option<string?> CaCertificate { get; } = new("--ca-certificate")
    {
        Description = $"CA certificate (PEM) that signed an https:// server's certificate, trusted for it alone, e.g. the cluster CA of backprop certs (default: ${CaCertificateVariable})",
    };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(CaCertificate);
    }

    /// <summary>The server URL: the flag, else the environment, else <see cref="DefaultServer"/>.</summary>
    public string ServerOf(ParseResult parsed) =>
        NonEmpty(parsed.GetValue(Server)) ?? NonEmpty(Environment.GetEnvironmentVariable(ServerVariable)) ?? DefaultServer;

    /// <summary>The token: the flag, else the environment; null for none.</summary>
    public string? TokenOf(ParseResult parsed) =>
        NonEmpty(parsed.GetValue(Token)) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable));

    /// <summary>The trust for a server of a private CA: the flag, else the environment; null to trust the machine's CAs.</summary>
    public ServerCertificateTrust? TrustOf(ParseResult parsed) =>
        (NonEmpty(parsed.GetValue(CaCertificate)) ?? NonEmpty(Environment.GetEnvironmentVariable(CaCertificateVariable))) is { } path
            ? ServerCertificateTrust.Load(CaCertificate.Name, path)
            : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
