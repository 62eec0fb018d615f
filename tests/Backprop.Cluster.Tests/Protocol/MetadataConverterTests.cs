using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Core.Data.Tables;
using Backprop.Core.Model;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Protocol;

/// <summary>A model's metadata and a table's layout between Core and their protobuf messages.</summary>
public sealed class MetadataConverterTests
{
    [Fact]
    public void TrainedModelToProtoAndBack_NamesAndStandardizationKept()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 2, Activation.Relu, Activation.Softmax), seed: 1);
        var metadata = new ModelMetadata(["a", "b"], ["no", "yes"], new Standardization([1f, -2f], [0.5f, 3f]));

        var back = ModelMetadataConverter.TrainedModelFrom(ModelMetadataConverter.TrainedModelToProto(new TrainedModel(network, metadata)), "model");

        Assert.Equal(metadata.FeatureNames, back.Metadata.FeatureNames);
        Assert.Equal(metadata.LabelNames, back.Metadata.LabelNames);
        Assert.Equal([1f, -2f], back.Metadata.Standardization!.Mean);
        Assert.Equal([0.5f, 3f], back.Metadata.Standardization.Scale);
        Assert.Equal(network.Parameters, back.Network.Parameters);
    }

    [Fact]
    public void TrainedModelFrom_NamesNotMatchingTheNetwork_InvalidInputNamingTheField()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 2, Activation.Relu, Activation.Softmax), seed: 1);
        var proto = ModelConverter.ModelToProto(network);
        proto.LabelNames.Add(["only one"]);

        var error = Assert.Throws<InvalidInputException>(() => ModelMetadataConverter.TrainedModelFrom(proto, "response.model"));

        Assert.Equal("response.model: 1 label names for 2 outputs", error.Message);
    }

    [Fact]
    public void TableOptionsToProtoAndBack_Equal()
    {
        var options = new TableOptions { Header = false, LabelColumn = "kind" };
        var targets = TableOptions.Default.WithTargets("price,rent");

        var (count, layout) = TableConverter.TableOptionsToProto(options);
        var (targetCount, targetLayout) = TableConverter.TableOptionsToProto(targets);

        Assert.Equal(options, TableConverter.TableOptionsFrom(count, layout));
        Assert.Equal(["price", "rent"], TableConverter.TableOptionsFrom(targetCount, targetLayout).TargetNames);
        Assert.Equal(TableOptions.Default, TableConverter.TableOptionsFrom(0, null));
    }
}
