using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Protocol;
using Backprop.Server.Jobs;
using Backprop.Server.Trainer;
using V1 = Backprop.Protocol.V1;

namespace Backprop.Server.Tests.Jobs;

public sealed class JobNetworkFactoryTests
{
    private static readonly TrainerOptions Limits = new();

    [Fact]
    public void Create_SizesLeftAtZero_TakesTheDatasetsInputAndTargetSizes()
    {
        var request = Read(Spec(0, (4, V1.Activation.Tanh), (0, V1.Activation.Sigmoid)));

        var network = JobNetworkFactory.Create(request, Toy(inputs: 3, targets: 2), Limits);

        Assert.Equal([3, 4, 2], network.Spec.LayerSizes);
        Assert.Equal([Activation.Tanh, Activation.Sigmoid], network.Spec.Layers.Select(l => l.Activation));
    }

    [Fact]
    public void Create_Spec_InitializesLikeParameterInitializerWithTheJobsSeed()
    {
        var proto = Request(Spec(2, (5, V1.Activation.Relu), (3, V1.Activation.Softmax)));
        proto.Training.Seed = 42;
        var request = JobRequestReader.Read(proto, Limits);

        var network = JobNetworkFactory.Create(request, Toy(inputs: 2, targets: 3), Limits);

        var expected = ParameterInitializer.Initialize(NetworkSpec.Create(2, [5], 3, Activation.Relu, Activation.Softmax), seed: 42);
        Assert.Equal(expected.Spec.ToString(), network.Spec.ToString());
        Assert.Equal(expected.Parameters, network.Parameters);
    }

    [Fact]
    public void Create_InitialModelThatFits_ReturnedAsIs()
    {
        var model = ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid), seed: 3);
        var proto = Request(null);
        proto.InitialModel = ModelConverter.ModelToProto(model);
        var request = JobRequestReader.Read(proto, Limits);

        var network = JobNetworkFactory.Create(request, Toy(inputs: 2, targets: 1), Limits);

        Assert.Same(request.InitialModel, network);
    }

    [Theory]
    [InlineData(784, 0, "spec.input_size", "784 does not match the dataset's 2 inputs")]
    [InlineData(0, 10, "spec.layers[1].outputs", "10 does not match the dataset's 1 targets")]
    [InlineData(3, 1, "spec.input_size", "3 does not match the dataset's 2 inputs")]
    public void Create_SpecSizeUnlikeTheDatasets_RejectedNamingTheField(int inputSize, int outputs, string field, string reason)
    {
        var request = Read(Spec(inputSize, (4, V1.Activation.Relu), (outputs, V1.Activation.Sigmoid)));

        var e = Assert.Throws<RequestRejectedException>(() => JobNetworkFactory.Create(request, Toy(inputs: 2, targets: 1), Limits));

        Assert.Equal(Rejection.InvalidArgument, e.Kind);
        Assert.Equal(field, e.Field);
        Assert.Equal(reason, e.Reason);
    }

    [Theory]
    [InlineData(3, 1, "initial_model.spec.input_size")]
    [InlineData(2, 4, "initial_model.spec.layers[1].outputs")]
    public void Create_InitialModelUnlikeTheDataset_RejectedNamingTheField(int inputs, int outputs, string field)
    {
        var proto = Request(null);
        proto.InitialModel = ModelConverter.ModelToProto(
            ParameterInitializer.Initialize(NetworkSpec.Create(inputs, [3], outputs, Activation.Tanh, Activation.Sigmoid), seed: 1));
        var request = JobRequestReader.Read(proto, Limits);

        var e = Assert.Throws<RequestRejectedException>(() => JobNetworkFactory.Create(request, Toy(inputs: 2, targets: 1), Limits));

        Assert.Equal(Rejection.InvalidArgument, e.Kind);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Create_DatasetSizesMakeTheNetworkTooLarge_ResourceExhausted()
    {
        var limits = new TrainerOptions { MaxParameters = 100 };
        var request = JobRequestReader.Read(Request(Spec(0, (10, V1.Activation.Relu), (0, V1.Activation.Softmax))), limits);

        var e = Assert.Throws<RequestRejectedException>(() => JobNetworkFactory.Create(request, Toy(inputs: 50, targets: 20), limits));

        Assert.Equal(Rejection.ResourceExhausted, e.Kind);
        Assert.Equal("spec", e.Field);
        Assert.Contains("730 parameters", e.Reason, StringComparison.Ordinal);
    }

    private static JobRequest Read(V1.NetworkSpec spec) => JobRequestReader.Read(Request(spec), Limits);

    private static V1.SubmitJobRequest Request(V1.NetworkSpec? spec)
    {
        var request = new V1.SubmitJobRequest { Training = new V1.TrainingSettings(), Dataset = new V1.DatasetReference { BuiltIn = "xor" } };
        if (spec is not null)
        {
            request.Spec = spec;
        }

        return request;
    }

    private static V1.NetworkSpec Spec(int inputSize, params (int Outputs, V1.Activation Activation)[] layers)
    {
        var spec = new V1.NetworkSpec { InputSize = inputSize };
        spec.Layers.AddRange(layers.Select(l => new V1.LayerSpec { Outputs = l.Outputs, Activation = l.Activation }));
        return spec;
    }

    /// <summary>Two samples of zeros, of the given sizes.</summary>
    private static Dataset Toy(int inputs, int targets) => new("toy", inputs, targets, new float[2 * inputs], new float[2 * targets]);
}
