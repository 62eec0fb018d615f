namespace Backprop.Cli.Tests.Train;

/// <summary>Every kind of bad input ends with exit code 2 and one line naming the culprit.</summary>
public class TrainBadInputTests
{
    private const string GoodCsv = "1,2,0\n3,4,1\n5,6,0\n";

    [Fact]
    public void Train_RaggedCsvRow_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("train.csv", "1,2,0\n3,4\n");

        CliRun.Of("train", "--data", csv, "--epochs", "1").AssertBadInput("train.csv", "line 2");
    }

    [Fact]
    public void Train_NonNumberInCsv_NamesLineAndColumn()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("train.csv", "1,2,0\n3,abc,1\n");

        CliRun.Of("train", "--data", csv, "--epochs", "1").AssertBadInput("train.csv", "line 2", "column 2", "abc");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Train_NonFiniteValueInCsv_NamesLine(string value)
    {
        using var dir = new TempDirectory();
        var csv = dir.File("train.csv", $"1,2,0\n{value},4,1\n");

        CliRun.Of("train", "--data", csv, "--epochs", "1").AssertBadInput("train.csv", "line 2");
    }

    [Fact]
    public void Train_TestLabelOutsideTrainClasses_NamesTestFile()
    {
        using var dir = new TempDirectory();
        var train = dir.File("train.csv", GoodCsv);
        var test = dir.File("test.csv", "1,2,0\n3,4,7\n");

        CliRun.Of("train", "--data", train, "--test-data", test, "--epochs", "1").AssertBadInput("test.csv", "line 2", "7");
    }

    [Fact]
    public void Train_IdxWrongMagic_NamesFile()
    {
        using var dir = new TempDirectory();
        dir.File("train-images-idx3-ubyte", [0, 0, 8, 0x12, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7]);
        dir.File("train-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 1, 0]);

        CliRun.Of("train", "--data", dir.Path, "--epochs", "1").AssertBadInput("train-images-idx3-ubyte", "magic");
    }

    [Fact]
    public void Train_IdxTruncatedBody_NamesFile()
    {
        using var dir = new TempDirectory();
        dir.File("train-images-idx3-ubyte", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]);
        dir.File("train-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 2, 0, 1]);

        CliRun.Of("train", "--data", dir.Path, "--epochs", "1").AssertBadInput("train-images-idx3-ubyte", "truncated");
    }

    [Fact]
    public void Train_ModelJsonShapesDisagreeWithData_NamesModelFile()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("train.csv", GoodCsv);
        var model = dir.File("model.json", """
            {"format":"backprop.model.v1","layers":[
              {"inputs":3,"outputs":2,"activation":"softmax","weights":[[0,0,0],[0,0,0]],"biases":[0,0]}]}
            """);

        CliRun.Of("train", "--data", csv, "--init-model", model, "--epochs", "1").AssertBadInput("model.json", "inputs");
    }

    [Fact]
    public void Train_ModelJsonInconsistentWithItself_NamesField()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("train.csv", GoodCsv);
        var model = dir.File("model.json", """
            {"format":"backprop.model.v1","layers":[
              {"inputs":2,"outputs":2,"activation":"softmax","weights":[[0,0],[0]],"biases":[0,0]}]}
            """);

        CliRun.Of("train", "--data", csv, "--init-model", model, "--epochs", "1").AssertBadInput("model.json", "layers[0].weights[1]");
    }

    [Fact]
    public void Train_UnknownActivation_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--activation", "swish").AssertBadInput("--activation", "swish");
    }

    [Fact]
    public void Train_SoftmaxHiddenActivation_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--activation", "softmax").AssertBadInput("--activation", "softmax");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.1")]
    public void Train_NonPositiveLearningRate_NamesFlag(string lr)
    {
        CliRun.Of("train", "--data", "xor", "--lr", lr).AssertBadInput("--lr");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void Train_NonPositiveBatchSize_NamesFlag(string size)
    {
        CliRun.Of("train", "--data", "xor", "--batch-size", size).AssertBadInput("--batch-size");
    }

    [Fact]
    public void Train_UnknownLoss_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--loss", "hinge").AssertBadInput("--loss", "hinge");
    }

    [Fact]
    public void Train_CrossEntropyOnIdentityOutput_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--output-activation", "identity", "--loss", "cross-entropy").AssertBadInput("--loss");
    }

    [Fact]
    public void Train_MissingDataPath_NamesFlag()
    {
        CliRun.Of("train", "--data", "/nonexistent/data.csv").AssertBadInput("--data");
    }

    [Fact]
    public void Train_NotANumberFlagValue_IsAOneLineParseError()
    {
        CliRun.Of("train", "--epochs", "many").AssertBadInput("many");
    }

    [Fact]
    public void Train_UnknownFlag_IsAOneLineParseError()
    {
        CliRun.Of("train", "--colour", "blue").AssertBadInput("--colour");
    }

    [Fact]
    public void Train_BadHiddenSizes_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--hidden", "8,0").AssertBadInput("--hidden", "'0'");
    }

    [Fact]
    public void Train_ArchitectureFlagWithInitModel_NamesFlag()
    {
        using var dir = new TempDirectory();
        var model = dir.File("model.json", """
            {"format":"backprop.model.v1","layers":[
              {"inputs":2,"outputs":2,"activation":"softmax","weights":[[0,0],[0,0]],"biases":[0,0]}]}
            """);

        CliRun.Of("train", "--data", "xor", "--init-model", model, "--hidden", "4").AssertBadInput("--hidden", "--init-model");
    }

    [Fact]
    public void Train_ZeroThreads_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--threads", "0").AssertBadInput("--threads");
    }

    [Fact]
    public void Train_ZeroShardSize_NamesFlag()
    {
        CliRun.Of("train", "--data", "xor", "--shard-size", "0").AssertBadInput("--shard-size", "got 0");
    }
}
