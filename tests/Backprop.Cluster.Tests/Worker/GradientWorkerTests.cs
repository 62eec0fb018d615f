using Akka.TestKit.Xunit2;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Tests.Transfer;
using Backprop.Cluster.Transfer;
using Backprop.Cluster.Worker;
using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Protocol;
using JobJoined = Backprop.Protocol.V1.JobJoined;
using JoinJob = Backprop.Protocol.V1.JoinJob;

namespace Backprop.Cluster.Tests.Worker;

/// <summary>One <see cref="GradientWorker"/>, with the test actor as its coordinator.</summary>
public sealed class GradientWorkerTests() : TestKit(ClusterHocon.For(new ClusterOptions { Tls = { Enabled = false }, Port = 0 }))
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static readonly Core.Data.Dataset Samples = DatasetShipping.RandomDataset(seed: 1, count: 8, inputSize: 2, targetSize: 1);

    [Fact]
    public void Join_RowsTimesALayersWidthOverflowsAnArray_AnswersWithTheErrorAndKeepsServing()
    {
        var worker = Sys.ActorOf(GradientWorker.Props(new ClusterOptions { Tls = { Enabled = false }, WorkerThreads = 1, DirectTensorLinks = false }));
        // 65,536 rows × 40,000 outputs is past int.MaxValue: the product wrapped to a negative array length.
        var join = Join("too-wide", NetworkSpec.Create(2, [40_000], 1, Activation.Tanh, Activation.Sigmoid), maxRows: 65_536);

        worker.Tell(join, TestActor);
        var refused = ExpectMsg<JobJoined>(Wait);
        worker.Tell(Join("fits", NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid), maxRows: 8), TestActor);

        Assert.Equal("too-wide", refused.JobId);
        Assert.Contains("65536", refused.Error);
        Assert.Equal("", ExpectMsg<JobJoined>(Wait).Error);
    }

    [Fact]
    public void Join_DatasetTooLargeToShipIntoOneArray_AnswersWithTheError()
    {
        var worker = Sys.ActorOf(GradientWorker.Props(new ClusterOptions { Tls = { Enabled = false }, WorkerThreads = 1, DirectTensorLinks = false }));
        var join = Join("huge-dataset", NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid), maxRows: 8);
        join.Dataset.Count = int.MaxValue;
        join.Dataset.InputSize = 1 << 20;

        worker.Tell(join, TestActor);

        var refused = ExpectMsg<JobJoined>(Wait);
        Assert.Equal("huge-dataset", refused.JobId);
        Assert.Contains("dataset", refused.Error);
    }

    [Fact]
    public async Task TensorLink_WorkerCannotReadAFrame_ClosesTheLinkSoTheCoordinatorHears()
    {
        var options = new ClusterOptions { Tls = { Enabled = false }, WorkerThreads = 1, Hostname = "127.0.0.1", DirectTensorLinks = true };
        var worker = Sys.ActorOf(GradientWorker.Props(options));
        var spec = NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid);
        worker.Tell(Join("linked", spec, maxRows: 8), TestActor);
        var joined = ExpectMsg<JobJoined>(Wait);
        using var link = await TensorLink.ConnectAsync(joined.TensorEndpoint, "linked", Wait, Wait);
        var closed = new TaskCompletionSource<string>();
        link.Start(new TensorBufferPool(spec.ParameterCount), (_, _) => { }, reason => closed.TrySetResult(reason));

        // θ whose bits do not match its checksum: the worker's reader stops on it.
        var theta = new float[spec.ParameterCount];
        Assert.True(link.TrySend(new TensorFrameHeader(0, 0, 0, 0, 0, 0, 0, theta.Length, TensorChecksum.Of(theta) + 1), theta, () => { }, out _));

        Assert.NotNull(await closed.Task.WaitAsync(Wait));
    }

    private static JoinJob Join(string jobId, NetworkSpec spec, int maxRows) => new()
    {
        JobId = jobId,
        Network = ModelConverter.NetworkSpecToProto(spec),
        Loss = ModelConverter.LossToProto(LossKind.MeanSquaredError),
        ShardSize = 1,
        MaxRows = maxRows,
        Dataset = DatasetConverter.DescriptorOf(Samples, source: null),
    };
}
