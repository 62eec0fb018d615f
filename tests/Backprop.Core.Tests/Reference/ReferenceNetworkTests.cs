using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Reference;

/// <summary>The float64 reference must itself be right before it can judge the float32 code.</summary>
public class ReferenceNetworkTests
{
    /// <summary>Central-difference step: truncation error ~h² ≈ 1e-12, rounding ~ε·L/h ≈ 1e-10.</summary>
    private const double FiniteDifferenceStep = 1e-6;

    [Theory]
    [MemberData(nameof(NetworkCases.EveryValidCombination), MemberType = typeof(NetworkCases))]
    public void GradientSums_EveryActivationAndLoss_MatchFiniteDifferences(Activation hidden, Activation output, LossKind loss)
    {
        var problem = RandomProblem.Create(NetworkCases.SmallNetwork, hidden, output, loss, NetworkCases.SweepRows, NetworkCases.SeedFor(hidden, output, loss));
        var numeric = problem.NumericGradientSums(FiniteDifferenceStep);

        var (analytic, _) = problem.ReferenceGradientSums();

        // Both sides are float64: agreement to 1e-6 leaves a wide margin over the ~1e-9 error of the differences.
        ApproxAssert.AllClose(numeric, analytic, n => 1e-6 * Math.Max(1, Math.Abs(n)), p => NetworkCases.DescribeParameter(problem.Spec, p), "reference gradient sums");
    }

    [Fact]
    public void Forward_TwoByTwoHandExample_GivesHandComputedActivations()
    {
        // W = [[1, 2], [−1, 0.5]], b = (0.5, −1), x = (1, −2):
        // z = (1 − 4 + 0.5, −1 − 1 − 1) = (−2.5, −3), identity → a = z.
        var reference = new ReferenceNetwork([2, 2], [Activation.Identity]);
        double[] parameters = [1, 2, -1, 0.5, 0.5, -1];

        var pass = reference.Forward(parameters, [1, -2]);

        Assert.Equal([-2.5, -3], pass.Output);
    }

    [Fact]
    public void Activate_Softmax_SumsToOneAndMatchesHandValues()
    {
        // softmax(0, ln 2, ln 3) = (1, 2, 3) / 6
        var a = ReferenceNetwork.Activate(Activation.Softmax, [0, Math.Log(2), Math.Log(3)]);

        Assert.Equal(1.0 / 6, a[0], 12);
        Assert.Equal(2.0 / 6, a[1], 12);
        Assert.Equal(3.0 / 6, a[2], 12);
    }
}
