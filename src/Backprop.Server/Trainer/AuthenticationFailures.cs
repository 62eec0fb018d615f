using System.Net;
using System.Threading.RateLimiting;

namespace Backprop.Server.Trainer;

/// <summary>What to do with a call that failed authentication.</summary>
internal enum AuthenticationFailureAnswer
{
    /// <summary>Refuse it <c>Unauthenticated</c> and log one line.</summary>
    RefuseAndLog,

    /// <summary>Refuse it <c>Unauthenticated</c> without a line: the log's budget for failures is spent for now.</summary>
    Refuse,

    /// <summary>Refuse it <c>ResourceExhausted</c> without a line: its address has failed too often for now.</summary>
    Throttle,
}

/// <summary>
/// Counts failed authentications so that clients without the token cannot flood the log: each address gets
/// <see cref="TrainerOptions.AuthFailuresPerAddress"/> failures a <see cref="TrainerOptions.AuthFailureWindow"/>,
/// and all addresses together <see cref="TrainerOptions.AuthFailuresLogged"/> log lines a window.
/// </summary>
/// <remarks>
/// Built on <see cref="System.Threading.RateLimiting"/>, the limiters under ASP.NET Core's rate-limiting middleware;
/// that middleware itself does not fit, because it takes a permit for every request before it is handled, and only
/// failures are to be counted: a client with the token is never limited here. Idle per-address windows are
/// dropped by the partitioned limiter, so addresses that come and go do not accumulate.
/// </remarks>
internal sealed class AuthenticationFailures : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _perAddress;
    private readonly FixedWindowRateLimiter _logLines;

    /// <summary>Limits from <paramref name="options"/>.</summary>
    public AuthenticationFailures(TrainerOptions options)
    {
        _perAddress = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetFixedWindowLimiter(address, _ => Window(options.AuthFailuresPerAddress, options.AuthFailureWindow)));
        _logLines = new FixedWindowRateLimiter(Window(options.AuthFailuresLogged, options.AuthFailureWindow));
    }

    /// <summary>Counts a failure from <paramref name="address"/> (null: unknown, all such calls share one count).</summary>
    public AuthenticationFailureAnswer Record(IPAddress? address)
    {
        using var fromAddress = _perAddress.AttemptAcquire(address ?? IPAddress.None);
        if (!fromAddress.IsAcquired)
        {
            return AuthenticationFailureAnswer.Throttle;
        }

        using var line = _logLines.AttemptAcquire();
        return line.IsAcquired ? AuthenticationFailureAnswer.RefuseAndLog : AuthenticationFailureAnswer.Refuse;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _perAddress.Dispose();
        _logLines.Dispose();
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };
}
