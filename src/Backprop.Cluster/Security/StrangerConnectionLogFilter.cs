using Akka.Event;
using DotNetty.Handlers.Tls;

namespace Backprop.Cluster.Security;

/// <summary>
/// Drops what Akka remoting logs for each inbound connection that is not a TLS peer of the cluster: DotNetty's error
/// for bytes that are not a TLS record (with a hex dump of them), its error of about ten lines and its warning for a
/// failed handshake, and Akka's error when a silent connection's handshake times out (15 s). Anything else is kept.
/// </summary>
internal sealed class StrangerConnectionLogFilter : LogFilterBase
{
    private static readonly string[] Messages =
    [
        "TLS handshake failed",
        "due to TLS handshake failure",
        "No response from remote for inbound association",
    ];

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        for (var cause = content.Cause; cause is not null; cause = cause.InnerException)
        {
            if (cause is NotSslRecordException)
            {
                return LogFilterDecision.Drop;
            }
        }

        var message = expandedMessage ?? content.Message?.ToString();
        return message is not null && Messages.Any(part => message.Contains(part, StringComparison.Ordinal))
            ? LogFilterDecision.Drop
            : LogFilterDecision.NoDecision;
    }
}
