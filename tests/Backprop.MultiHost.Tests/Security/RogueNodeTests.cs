using Backprop.Cluster.Security;
using Backprop.MultiHost.Tests.Harness;

namespace Backprop.MultiHost.Tests.Security;

/// <summary>
/// Strangers on the cluster's network, each on a host of its own, try to join while a job runs: a worker with a
/// certificate from another CA, and a plaintext one. Neither becomes a member, and the job ends with the undisturbed
/// weights.
/// </summary>
public sealed class RogueNodeTests(ITestOutputHelper output)
{
    /// <summary>How long the rogues keep trying before the test checks that they never became members.</summary>
    private static readonly TimeSpan TryingFor = TimeSpan.FromSeconds(10);

    [MultiHostFact]
    public async Task RogueWorkers_AnotherCasCertificateOrPlaintext_NeverJoinAndTheJobIsUndisturbed()
    {
        using var stranger = ClusterCertificateAuthority.Create("stranger CA", TimeSpan.FromDays(1));
        using var cluster = await HostCluster.StartAsync(output, workers: 2);
        var run = await cluster.StartJobAsync(new TrainingJob(Epochs: 1500), "rogues", untilStep: 5);

        var withCertificate = await cluster.AddRogueWorkerAsync(stranger);
        var plaintext = await cluster.AddRogueWorkerAsync(stranger: null);
        var refused = await cluster.Coordinator.WaitForLineAsync("TLS: refused", HostCluster.JobTimeout);
        await Task.Delay(TryingFor);
        var coordinatorLog = cluster.Coordinator.Log;
        await cluster.AssertUndisturbedAsync(run);

        Assert.Contains("issuer 'CN=stranger CA", coordinatorLog);
        foreach (var rogue in new[] { withCertificate, plaintext })
        {
            Assert.DoesNotContain($"Member joined: {rogue.Address}", coordinatorLog);
            Assert.DoesNotContain($"Member up: {rogue.Address}", coordinatorLog);
            Assert.DoesNotContain($"{rogue.Host.Address}:{HostCluster.NodePort}/user/gradient-worker", run.Watch.Log);
        }

        output.WriteLine($"rogue workers (another CA's certificate, plaintext) kept out: coordinator logged \"{refused.Text.Trim()}\"; " +
            $"job ({run.Job.TotalSteps} steps) succeeded with the undisturbed weights");
    }
}
