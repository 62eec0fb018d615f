using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Cli.Export;
using Backprop.Core;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Microsoft.ML.OnnxRuntime;
using ModelMetadata = Backprop.Core.Model.ModelMetadata;

namespace Backprop.Cli.Tests.Export;

/// <summary><c>backprop export MODEL.json --onnx OUT.onnx</c>: an ONNX file that ONNX Runtime runs to what <c>predict --model</c> prints.</summary>
public sealed class ExportCommandTests
{
    private const int Rows = 1_000;

    [Fact]
    public void Export_StandardizedModelWithClassNames_OnnxRuntimeMatchesPredictAndCarriesTheNames()
    {
        using var dir = new TempDirectory();
        var modelPath = TableCsv.TrainFruitModel(dir);
        var onnxPath = Path.Combine(dir.Path, "fruit.onnx");

        var run = CliRun.Of("export", modelPath, "--onnx", onnxPath);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal($"ONNX model written to {onnxPath}", run.Output.Trim());
        var random = new Random(5);
        var rows = OnnxAgreement.Rows(Rows, 3, (_, column) => column switch
        {
            0 => 45 + (float)(random.NextDouble() * 50),
            1 => 0.09f + (float)(random.NextDouble() * 0.14),
            _ => 7,
        });
        var csv = OnnxAgreement.WriteCsv(dir, "rows.csv", rows, 3, TableCsv.Header.Replace(",kind", string.Empty, StringComparison.Ordinal));
        var classes = OnnxAgreement.AssertMatchesPredict(dir, modelPath, onnxPath, csv, rows, 3);
        Assert.Contains("apple", classes);
        Assert.Contains("pear", classes);

        using var session = new InferenceSession(onnxPath);
        Assert.Equal(["input"], session.InputMetadata.Keys);
        Assert.Equal([-1, 3], session.InputMetadata["input"].Dimensions);
        Assert.Equal(["output"], session.OutputMetadata.Keys);
        Assert.Equal([-1, 2], session.OutputMetadata["output"].Dimensions);
        var metadata = session.ModelMetadata;
        Assert.Equal("backprop", metadata.ProducerName);
        Assert.Equal("backprop", metadata.Description);
        Assert.Equal(["size_mm", "weight_g", "batch"], JsonSerializer.Deserialize<string[]>(metadata.CustomMetadataMap["features"])!);
        Assert.Equal(["apple", "pear"], JsonSerializer.Deserialize<string[]>(metadata.CustomMetadataMap["labels"])!);
    }

    [Fact]
    public void Export_ConstantFeatureColumn_ScaleIsOneAndOtherValuesOfItStayFinite()
    {
        using var dir = new TempDirectory();
        var modelPath = TableCsv.TrainFruitModel(dir);
        var onnxPath = Path.Combine(dir.Path, "fruit.onnx");
        Assert.Equal(0, CliRun.Of("export", modelPath, "--onnx", onnxPath).ExitCode);

        var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        var scale = onnx.Graph.Initializer.Single(tensor => tensor.Name == "standardization.scale").FloatData;
        var mean = onnx.Graph.Initializer.Single(tensor => tensor.Name == "standardization.mean").FloatData;
        Assert.Equal(1f, scale[2]);
        Assert.Equal(7f, mean[2]);
        Assert.All(scale, value => Assert.True(value > 0));

        // The constant column "batch" was 7 in training; here it takes other values, which the model sees as (x − 7) / 1.
        var random = new Random(9);
        var rows = OnnxAgreement.Rows(Rows, 3, (row, column) => column switch
        {
            0 => 45 + (float)(random.NextDouble() * 50),
            1 => 0.09f + (float)(random.NextDouble() * 0.14),
            _ => row % 3 * 7,
        });
        var csv = OnnxAgreement.WriteCsv(dir, "rows.csv", rows, 3, "size_mm,weight_g,batch");
        OnnxAgreement.AssertMatchesPredict(dir, modelPath, onnxPath, csv, rows, 3);
        Assert.All(OnnxAgreement.Run(onnxPath, rows, 3), value => Assert.True(float.IsFinite(value)));
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Softmax)]
    [InlineData(Activation.Tanh, Activation.Softmax)]
    [InlineData(Activation.Relu, Activation.Softmax)]
    [InlineData(Activation.Identity, Activation.Softmax)]
    [InlineData(Activation.Relu, Activation.Sigmoid)]
    [InlineData(Activation.Sigmoid, Activation.Tanh)]
    [InlineData(Activation.Tanh, Activation.Relu)]
    [InlineData(Activation.Tanh, Activation.Identity)]
    public void Export_EachActivation_OnnxRuntimeMatchesPredict(Activation hidden, Activation output)
    {
        using var dir = new TempDirectory();
        var spec = NetworkSpec.Create(5, [9, 7], 4, hidden, output);
        var modelPath = Path.Combine(dir.Path, "model.json");
        ModelJson.Save(new TrainedModel(ParameterInitializer.Initialize(spec, seed: 3), ModelMetadata.None), modelPath);
        var onnxPath = Path.Combine(dir.Path, "model.onnx");

        var run = CliRun.Of("export", modelPath, "--onnx", onnxPath);

        Assert.True(run.ExitCode == 0, run.Error);
        var random = new Random(7);
        var rows = OnnxAgreement.Rows(Rows, 5, (_, _) => (float)((random.NextDouble() * 6) - 3));
        var csv = OnnxAgreement.WriteCsv(dir, "rows.csv", rows, 5, header: null);
        OnnxAgreement.AssertMatchesPredict(dir, modelPath, onnxPath, csv, rows, 5);
        using var session = new InferenceSession(onnxPath);
        Assert.DoesNotContain("features", session.ModelMetadata.CustomMetadataMap.Keys);
        Assert.DoesNotContain("labels", session.ModelMetadata.CustomMetadataMap.Keys);
    }

    [Fact]
    public void Export_RegressionModel_IdentityOutputMatchesPredict()
    {
        using var dir = new TempDirectory();
        var data = dir.File("houses.csv", Houses(200, seed: 2));
        var modelPath = Path.Combine(dir.Path, "houses.json");
        var train = CliRun.Of(
            "train", "--data", data, "--targets", "price", "--standardize", "--hidden", "8", "--activation", "tanh",
            "--output-activation", "identity", "--loss", "mse", "--epochs", "10", "--batch-size", "16", "--lr", "0.01", "--out", modelPath);
        Assert.True(train.ExitCode == 0, train.Error);
        var onnxPath = Path.Combine(dir.Path, "houses.onnx");

        var run = CliRun.Of("export", modelPath, "--onnx", onnxPath);

        Assert.True(run.ExitCode == 0, run.Error);
        var random = new Random(4);
        var rows = OnnxAgreement.Rows(Rows, 2, (_, column) => column == 0 ? 40 + (float)(random.NextDouble() * 160) : random.Next(1, 7));
        var csv = OnnxAgreement.WriteCsv(dir, "rows.csv", rows, 2, "area,rooms");
        OnnxAgreement.AssertMatchesPredict(dir, modelPath, onnxPath, csv, rows, 2);
        var onnx = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        Assert.Equal(["Sub", "Div", "Gemm", "Tanh", "Gemm"], onnx.Graph.Node.Select(node => node.OpType));
        Assert.Equal("output", onnx.Graph.Node[^1].Output.Single());
        Assert.Equal(OnnxExport.Opset, onnx.OpsetImport.Single().Version);
        Assert.Equal(["features"], onnx.MetadataProps.Select(entry => entry.Key));
    }

    [Fact]
    public void ToOnnx_ActivationWithoutOnnxOperator_NamesTheLayerAndActivation()
    {
        var spec = NetworkSpec.Create(2, [3], 2, Activation.Relu, (Activation)99);
        var model = new TrainedModel(ParameterInitializer.Initialize(spec, seed: 1), ModelMetadata.None);

        var error = Assert.Throws<InvalidInputException>(() => OnnxExport.ToOnnx(model, "m.json"));

        Assert.Equal("m.json: layers[1].activation: activation '99' has no ONNX operator, so the model cannot be exported", error.Message);
    }

    [Fact]
    public void Export_MissingModel_ExitsWithBadInput()
    {
        using var dir = new TempDirectory();
        var onnxPath = Path.Combine(dir.Path, "m.onnx");

        CliRun.Of("export", Path.Combine(dir.Path, "no-such-model.json"), "--onnx", onnxPath).AssertBadInput("no-such-model.json: file not found");
        Assert.False(File.Exists(onnxPath));
    }

    [Fact]
    public void Export_MalformedModelJson_ExitsWithBadInputNamingTheFile()
    {
        using var dir = new TempDirectory();
        var modelPath = dir.File("bad.json", "{\"format\":\"backprop.model.v1\",\"layers\":[{\"inputs\":2,");
        var onnxPath = Path.Combine(dir.Path, "m.onnx");

        CliRun.Of("export", modelPath, "--onnx", onnxPath).AssertBadInput("bad.json");
        Assert.False(File.Exists(onnxPath));
    }

    [Fact]
    public void Export_OutputPathNotWritable_ExitsWithBadInputNamingThePath()
    {
        using var dir = new TempDirectory();
        var modelPath = Path.Combine(dir.Path, "model.json");
        ModelJson.Save(new TrainedModel(ParameterInitializer.Initialize(NetworkSpec.Create(2, [], 2, Activation.Relu, Activation.Softmax), seed: 1), ModelMetadata.None), modelPath);
        var onnxPath = Path.Combine(dir.Path, "no-such-dir", "m.onnx");

        CliRun.Of("export", modelPath, "--onnx", onnxPath).AssertBadInput($"{onnxPath}: cannot write");
    }

    [Fact]
    public void Export_WithoutOnnx_ExitsWithBadInput() =>
        CliRun.Of("export", "model.json").AssertBadInput("--onnx");

    /// <summary>A header CSV with a real-valued target: price from area and rooms, with noise.</summary>
    private static string Houses(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("area,rooms,price\n");
        for (var i = 0; i < rows; i++)
        {
            var area = 40 + (random.NextDouble() * 160);
            var rooms = random.Next(1, 7);
            var price = (2.5 * area) + (15 * rooms) + (random.NextDouble() * 20);
            text.Append(CultureInfo.InvariantCulture, $"{area:F1},{rooms},{price:F1}\n");
        }

        return text.ToString();
    }
}
