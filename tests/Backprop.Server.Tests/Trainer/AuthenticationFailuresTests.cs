using System.Net;
using Backprop.Server.Trainer;

namespace Backprop.Server.Tests.Trainer;

public sealed class AuthenticationFailuresTests
{
    private static readonly IPAddress First = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Second = IPAddress.Parse("2001:db8::2");

    private static AuthenticationFailures Limits(int perAddress, int logged) =>
        new(new TrainerOptions { AuthFailuresPerAddress = perAddress, AuthFailuresLogged = logged, AuthFailureWindow = TimeSpan.FromHours(1) });

    [Fact]
    public void Record_BeyondTheAddressLimit_Throttles()
    {
        using var failures = Limits(perAddress: 2, logged: 100);

        var answers = Enumerable.Range(0, 4).Select(_ => failures.Record(First)).ToList();

        Assert.Equal(
            [AuthenticationFailureAnswer.RefuseAndLog, AuthenticationFailureAnswer.RefuseAndLog, AuthenticationFailureAnswer.Throttle, AuthenticationFailureAnswer.Throttle],
            answers);
    }

    [Fact]
    public void Record_AnotherAddress_HasACountOfItsOwn()
    {
        using var failures = Limits(perAddress: 1, logged: 100);
        failures.Record(First);

        Assert.Equal(AuthenticationFailureAnswer.Throttle, failures.Record(First));
        Assert.Equal(AuthenticationFailureAnswer.RefuseAndLog, failures.Record(Second));
    }

    [Fact]
    public void Record_UnknownAddresses_ShareOneCount()
    {
        using var failures = Limits(perAddress: 1, logged: 100);
        failures.Record(null);

        Assert.Equal(AuthenticationFailureAnswer.Throttle, failures.Record(null));
    }

    [Fact]
    public void Record_BeyondTheLogBudget_RefusesWithoutALine()
    {
        using var failures = Limits(perAddress: 10, logged: 1);

        Assert.Equal(AuthenticationFailureAnswer.RefuseAndLog, failures.Record(First));
        Assert.Equal(AuthenticationFailureAnswer.Refuse, failures.Record(Second));
        Assert.Equal(AuthenticationFailureAnswer.Refuse, failures.Record(First));
    }
}
