using System.Collections.Concurrent;
using System.Diagnostics;
using Backprop.Protocol.V1;
using Xunit.Abstractions;

namespace Backprop.Server.Tests.Trainer;

/// <summary>Bounded load on loopback: many clients submitting at once lose and duplicate nothing.</summary>
public sealed class TrainerLoadTests(ITestOutputHelper output) : IDisposable
{
    private const int Clients = 10;
    private const int JobsPerClient = 5;
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("backprop-load-").FullName;

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);

    [Fact]
    public async Task SubmitJob_FiftyJobsFromTenClientsAtOnce_AllCompleteOnceEach()
    {
        await using var server = await TrainerServer.StartAsync(_dataRoot, "Cluster:MaxConcurrentJobs=4");
        var ids = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            var client = server.Client();
            for (var j = 0; j < JobsPerClient; j++)
            {
                ids.Add((await client.SubmitJobAsync(TestJobs.Request(TestJobs.Xor, epochs: 2, batchSize: 4, name: $"client{c}-job{j}"))).JobId);
            }
        }));
        var submitted = clock.Elapsed;
        var ends = await Task.WhenAll(ids.Select(id => server.Client().WatchToEndAsync(id)));
        var listed = (await server.Client().ListJobsAsync(new ListJobsRequest())).Jobs;

        output.WriteLine($"{Clients * JobsPerClient} jobs submitted in {submitted.TotalSeconds:F2} s, all finished after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(Clients * JobsPerClient, ids.Distinct().Count());
        Assert.All(ends, events => Assert.Equal(JobState.Succeeded, events[^1].Job.State));
        Assert.Equal(ids.Order(), listed.Select(job => job.JobId).Order());
        Assert.Equal(
            Enumerable.Range(0, Clients).SelectMany(c => Enumerable.Range(0, JobsPerClient).Select(j => $"client{c}-job{j}")).Order(),
            listed.Select(job => job.Name).Order());
    }
}
