using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Server.Jobs;
using Backprop.Server.Trainer;
using Google.Protobuf;
using V1 = Backprop.Protocol.V1;

namespace Backprop.Server.Tests.Jobs;

public sealed class JobRequestReaderTests
{
    private static readonly TrainerOptions Limits = new();

    /// <summary>Each way of breaking a valid request (<see cref="Valid"/>), and the field the rejection must name.</summary>
    private static readonly Dictionary<string, (Action<V1.SubmitJobRequest> Break, string Field)> BadFields = new()
    {
        ["no network"] = (r => r.ClearNetwork(), "spec"),
        ["spec without layers"] = (r => r.Spec.Layers.Clear(), "spec.layers"),
        ["negative input size"] = (r => r.Spec.InputSize = -1, "spec.input_size"),
        ["absurd input size"] = (r => r.Spec.InputSize = (1 << 20) + 1, "spec.input_size"),
        ["hidden layer of 0"] = (r => r.Spec.Layers[0].Outputs = 0, "spec.layers[0].outputs"),
        ["negative hidden layer"] = (r => r.Spec.Layers[0].Outputs = -3, "spec.layers[0].outputs"),
        ["negative last layer"] = (r => r.Spec.Layers[1].Outputs = -1, "spec.layers[1].outputs"),
        ["absurd layer"] = (r => r.Spec.Layers[0].Outputs = int.MaxValue, "spec.layers[0].outputs"),
        ["unspecified activation"] = (r => r.Spec.Layers[0].Activation = V1.Activation.Unspecified, "spec.layers[0].activation"),
        ["unknown activation"] = (r => r.Spec.Layers[1].Activation = (V1.Activation)99, "spec.layers[1].activation"),
        ["softmax on a hidden layer"] = (r => r.Spec.Layers[0].Activation = V1.Activation.Softmax, "spec.layers[0].activation"),
        ["initial model without spec"] = (r => r.InitialModel = new V1.Model(), "initial_model.spec"),
        ["initial model of 0 inputs"] = (r => r.InitialModel = ModelOf(0, 1), "initial_model.spec"),
        ["initial model with too few parameters"] = (r => r.InitialModel = new V1.Model { Spec = ModelOf(2, 1).Spec, Parameters = ByteString.CopyFrom(new byte[4]) }, "initial_model.parameters"),
        ["negative batch size"] = (r => r.Training.BatchSize = -1, "training.batch_size"),
        ["huge batch size"] = (r => r.Training.BatchSize = (1 << 20) + 1, "training.batch_size"),
        ["negative epochs"] = (r => r.Training.Epochs = -5, "training.epochs"),
        ["huge epochs"] = (r => r.Training.Epochs = int.MaxValue, "training.epochs"),
        ["negative seed"] = (r => r.Training.Seed = -1, "training.seed"),
        ["negative decay epochs"] = (r => r.Training.DecayEveryEpochs = -1, "training.decay_every_epochs"),
        ["negative shard size"] = (r => r.Training.ShardSize = -64, "training.shard_size"),
        ["huge shard size"] = (r => r.Training.ShardSize = (1 << 20) + 1, "training.shard_size"),
        ["negative early stopping"] = (r => (r.Training.EarlyStopping, r.Dataset.ValidationSplit) = (-1, 0.2), "training.early_stopping"),
        ["huge early stopping"] = (r => (r.Training.EarlyStopping, r.Dataset.ValidationSplit) = (int.MaxValue, 0.2), "training.early_stopping"),
        ["early stopping without validation split"] = (r => r.Training.EarlyStopping = 3, "training.early_stopping"),
        ["NaN decay factor"] = (r => r.Training.DecayFactor = float.NaN, "training.decay_factor"),
        ["negative decay factor"] = (r => r.Training.DecayFactor = -0.5f, "training.decay_factor"),
        ["decay factor above 1"] = (r => r.Training.DecayFactor = 1.5f, "training.decay_factor"),
        ["unknown schedule"] = (r => r.Training.Schedule = (V1.ScheduleKind)99, "training.schedule"),
        ["unknown loss"] = (r => r.Training.Loss = (V1.Loss)99, "training.loss"),
        ["binary cross-entropy on softmax"] = (r => r.Training.Loss = V1.Loss.BinaryCrossEntropy, "training.loss"),
        ["cross-entropy on relu"] = (r => (r.Spec.Layers[1].Activation, r.Training.Loss) = (V1.Activation.Relu, V1.Loss.CrossEntropy), "training.loss"),
        ["unknown optimizer"] = (r => r.Training.Optimizer.Kind = (V1.OptimizerKind)99, "training.optimizer.kind"),
        ["NaN learning rate"] = (r => r.Training.Optimizer.LearningRate = float.NaN, "training.optimizer.learning_rate"),
        ["infinite learning rate"] = (r => r.Training.Optimizer.LearningRate = float.PositiveInfinity, "training.optimizer.learning_rate"),
        ["negative learning rate"] = (r => r.Training.Optimizer.LearningRate = -0.1f, "training.optimizer.learning_rate"),
        ["negative momentum"] = (r => r.Training.Optimizer.Momentum = -0.1f, "training.optimizer.momentum"),
        ["momentum of 1"] = (r => r.Training.Optimizer.Momentum = 1f, "training.optimizer.momentum"),
        ["beta1 of 1"] = (r => r.Training.Optimizer.Beta1 = 1f, "training.optimizer.beta1"),
        ["beta2 above 1"] = (r => r.Training.Optimizer.Beta2 = 1.5f, "training.optimizer.beta2"),
        ["negative epsilon"] = (r => r.Training.Optimizer.Epsilon = -1e-8f, "training.optimizer.epsilon"),
        ["infinite weight decay"] = (r => r.Training.Optimizer.WeightDecay = float.PositiveInfinity, "training.optimizer.weight_decay"),
        ["negative weight decay"] = (r => r.Training.Optimizer.WeightDecay = -0.01f, "training.optimizer.weight_decay"),
        ["name too long"] = (r => r.Name = new string('x', 201), "name"),
        ["name with a newline"] = (r => r.Name = "two\nlines", "name"),
        ["name with a NUL"] = (r => r.Name = "nul\0", "name"),
        ["no dataset"] = (r => r.Dataset = null, "dataset"),
        ["dataset without source"] = (r => r.Dataset = new V1.DatasetReference { TargetColumns = 1 }, "dataset"),
        ["unknown built-in dataset"] = (r => r.Dataset.BuiltIn = "cifar", "dataset.built_in"),
        ["empty built-in dataset"] = (r => r.Dataset.BuiltIn = "", "dataset.built_in"),
        ["empty dataset path"] = (r => r.Dataset.Path = "", "dataset.path"),
        ["empty uploaded id"] = (r => r.Dataset.UploadedId = "", "dataset.uploaded_id"),
        ["negative target columns"] = (r => r.Dataset.TargetColumns = -1, "dataset.target_columns"),
        ["validation split of 1"] = (r => r.Dataset.ValidationSplit = 1, "dataset.validation_split"),
        ["NaN validation split"] = (r => r.Dataset.ValidationSplit = double.NaN, "dataset.validation_split"),
    };

    public static TheoryData<string> BadFieldScenarios => [.. BadFields.Keys];

    public static TheoryData<V1.Activation, LossKind> DefaultLosses => new()
    {
        { V1.Activation.Softmax, LossKind.CrossEntropy },
        { V1.Activation.Sigmoid, LossKind.BinaryCrossEntropy },
        { V1.Activation.Identity, LossKind.MeanSquaredError },
        { V1.Activation.Tanh, LossKind.MeanSquaredError },
        { V1.Activation.Relu, LossKind.MeanSquaredError },
    };

    [Fact]
    public void Read_EveryFieldGiven_MapsEachOne()
    {
        var request = new V1.SubmitJobRequest
        {
            Name = "xor, momentum",
            Spec = new V1.NetworkSpec
            {
                InputSize = 2,
                Layers =
                {
                    new V1.LayerSpec { Outputs = 8, Activation = V1.Activation.Tanh },
                    new V1.LayerSpec { Outputs = 1, Activation = V1.Activation.Sigmoid },
                },
            },
            Training = new V1.TrainingSettings
            {
                Loss = V1.Loss.BinaryCrossEntropy,
                Optimizer = new V1.OptimizerSettings
                {
                    Kind = V1.OptimizerKind.Momentum,
                    LearningRate = 0.05f,
                    Momentum = 0.8f,
                    Nesterov = true,
                    Beta1 = 0.85f,
                    Beta2 = 0.99f,
                    Epsilon = 1e-6f,
                    WeightDecay = 0.01f,
                },
                Schedule = V1.ScheduleKind.StepDecay,
                BatchSize = 16,
                Epochs = 3,
                Seed = 7,
                Shuffle = false,
                DecayEveryEpochs = 2,
                DecayFactor = 0.25f,
                ShardSize = 8,
                EarlyStopping = 4,
            },
            Dataset = new V1.DatasetReference { Path = "sets/xor.csv", TargetColumns = 1, ValidationSplit = 0.25 },
        };

        var job = JobRequestReader.Read(request, Limits);

        Assert.Equal("xor, momentum", job.Name);
        Assert.Null(job.InitialModel);
        var architecture = Assert.IsType<JobArchitecture>(job.Architecture);
        Assert.Equal(2, architecture.InputSize);
        Assert.Equal([new JobLayer(8, Activation.Tanh), new JobLayer(1, Activation.Sigmoid)], architecture.Layers);
        var expected = new TrainingOptions(
            LossKind.BinaryCrossEntropy,
            new OptimizerSettings(OptimizerKind.Momentum, 0.05f, Momentum: 0.8f, Nesterov: true, Beta1: 0.85f, Beta2: 0.99f, Epsilon: 1e-6f, WeightDecay: 0.01f),
            ScheduleKind.StepDecay,
            BatchSize: 16,
            Epochs: 3,
            Seed: 7,
            Shuffle: false,
            DecayEveryEpochs: 2,
            DecayFactor: 0.25f,
            Threads: 1,
            ShardSize: 8,
            EarlyStoppingPatience: 4);
        Assert.Equal(expected, job.Options);
        Assert.Equal(request.Dataset, job.Dataset);
    }

    [Fact]
    public void Read_EmptyTrainingSettings_GivesTheDefaultsOfBackpropTrain()
    {
        var withEmpty = Valid();
        withEmpty.Training = new V1.TrainingSettings();
        var withNone = Valid();
        withNone.Training = null;

        var fromEmpty = JobRequestReader.Read(withEmpty, Limits).Options;
        var fromNone = JobRequestReader.Read(withNone, Limits).Options;

        // backprop train: --loss cross-entropy (softmax output) --optimizer adam --lr 0.001 --momentum 0.9
        // --weight-decay 0 --schedule cosine --lr-decay-epochs 10 --lr-decay-factor 0.5 --batch-size 32
        // --epochs 15 --seed 1 --shuffle true --shard-size 64; Adam's betas and epsilon as in the paper.
        var defaults = new TrainingOptions(
            LossKind.CrossEntropy,
            new OptimizerSettings(OptimizerKind.Adam, 0.001f, Momentum: 0.9f, Nesterov: false, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, WeightDecay: 0f),
            ScheduleKind.Cosine,
            BatchSize: 32,
            Epochs: 15,
            Seed: 1,
            Shuffle: true,
            DecayEveryEpochs: 10,
            DecayFactor: 0.5f,
            Threads: 1,
            ShardSize: 64);
        Assert.Equal(defaults, fromEmpty);
        Assert.Equal(defaults, fromNone);
    }

    [Theory]
    [MemberData(nameof(DefaultLosses))]
    public void Read_LossUnspecified_TakesTheLossOfTheOutputActivation(V1.Activation output, LossKind expected)
    {
        var request = Valid();
        request.Spec.Layers[1].Activation = output;
        request.Training.Loss = V1.Loss.Unspecified;

        var job = JobRequestReader.Read(request, Limits);

        Assert.Equal(expected, job.Options.Loss);
    }

    [Fact]
    public void Read_ShuffleUnset_IsTrue_AndFalseWhenGiven()
    {
        var unset = Valid();
        var off = Valid();
        off.Training.Shuffle = false;

        Assert.True(JobRequestReader.Read(unset, Limits).Options.Shuffle);
        Assert.False(JobRequestReader.Read(off, Limits).Options.Shuffle);
    }

    [Fact]
    public void Read_SizesFromTheDataset_KeptAsZero()
    {
        var job = JobRequestReader.Read(Valid(), Limits);

        var architecture = Assert.IsType<JobArchitecture>(job.Architecture);
        Assert.Equal(0, architecture.InputSize);
        Assert.Equal(0, architecture.OutputSize);
        Assert.Equal(Activation.Softmax, architecture.OutputActivation);
    }

    [Fact]
    public void Read_InitialModel_GivesItsNetworkAndNoArchitecture()
    {
        var network = ParameterInitializer.Initialize(NetworkSpec.Create(2, [3], 1, Activation.Tanh, Activation.Sigmoid), seed: 5);
        var request = Valid();
        request.InitialModel = ModelConverter.ModelToProto(network);
        request.Training = null;

        var job = JobRequestReader.Read(request, Limits);

        Assert.Null(job.Architecture);
        var model = Assert.IsType<Network>(job.InitialModel);
        Assert.Equal(network.Spec.ToString(), model.Spec.ToString());
        Assert.Equal(network.Parameters, model.Parameters);
        Assert.Equal(LossKind.BinaryCrossEntropy, job.Options.Loss);
    }

    [Theory]
    [InlineData("mnist")]
    [InlineData("xor")]
    [InlineData("spirals")]
    public void Read_BuiltInDataset_Accepted(string name)
    {
        var request = Valid();
        request.Dataset.BuiltIn = name;

        Assert.Equal(name, JobRequestReader.Read(request, Limits).Dataset.BuiltIn);
    }

    [Fact]
    public void Read_NameOfMaxLength_Accepted()
    {
        var request = Valid();
        request.Name = new string('é', JobRequestReader.MaxNameLength);

        Assert.Equal(request.Name, JobRequestReader.Read(request, Limits).Name);
    }

    [Theory]
    [MemberData(nameof(BadFieldScenarios))]
    public void Read_BadField_RejectedAsInvalidArgumentNamingTheField(string scenario)
    {
        var (breakRequest, field) = BadFields[scenario];
        var request = Valid();
        breakRequest(request);

        var e = Assert.Throws<RequestRejectedException>(() => JobRequestReader.Read(request, Limits));

        Assert.Equal(Rejection.InvalidArgument, e.Kind);
        Assert.Equal(field, e.Field);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SpecAboveMaxParameters_ResourceExhaustedSayingCountAndLimit()
    {
        var request = Valid();
        request.Spec.InputSize = 2;
        request.Spec.Layers[0].Outputs = 64;
        request.Spec.Layers[1].Outputs = 1;

        var e = Assert.Throws<RequestRejectedException>(() => JobRequestReader.Read(request, new TrainerOptions { MaxParameters = 100 }));

        Assert.Equal(Rejection.ResourceExhausted, e.Kind);
        Assert.Equal("spec", e.Field);
        Assert.Contains("257", e.Reason, StringComparison.Ordinal);
        Assert.Contains("100", e.Reason, StringComparison.Ordinal);
        Assert.Contains("Trainer:MaxParameters", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SpecAboveMaxParametersBeforeDatasetSizes_ResourceExhaustedAsALowerBound()
    {
        var request = Valid();
        request.Spec.Layers[0].Outputs = 200;

        var e = Assert.Throws<RequestRejectedException>(() => JobRequestReader.Read(request, new TrainerOptions { MaxParameters = 100 }));

        Assert.Equal(Rejection.ResourceExhausted, e.Kind);
        Assert.Equal("spec", e.Field);
        Assert.Contains("at least 601", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InitialModelAboveMaxParameters_ResourceExhaustedOnInitialModel()
    {
        var request = Valid();
        request.InitialModel = new V1.Model { Spec = SpecOf(100_000, 100_000) };

        var e = Assert.Throws<RequestRejectedException>(() => JobRequestReader.Read(request, Limits));

        Assert.Equal(Rejection.ResourceExhausted, e.Kind);
        Assert.Equal("initial_model", e.Field);
        Assert.Contains("Trainer:MaxParameters", e.Reason, StringComparison.Ordinal);
    }

    /// <summary>A valid request: XOR, a hidden relu layer of 16, input and output sizes from the dataset.</summary>
    private static V1.SubmitJobRequest Valid() => new()
    {
        Name = "xor",
        Spec = new V1.NetworkSpec
        {
            Layers =
            {
                new V1.LayerSpec { Outputs = 16, Activation = V1.Activation.Relu },
                new V1.LayerSpec { Outputs = 0, Activation = V1.Activation.Softmax },
            },
        },
        Training = new V1.TrainingSettings { Optimizer = new V1.OptimizerSettings() },
        Dataset = new V1.DatasetReference { BuiltIn = "xor" },
    };

    /// <summary>A model of one sigmoid layer with <paramref name="inputs"/> inputs and <paramref name="outputs"/> outputs, zero parameters.</summary>
    private static V1.Model ModelOf(int inputs, int outputs) => new()
    {
        Spec = SpecOf(inputs, outputs),
        Parameters = ByteString.CopyFrom(new byte[((inputs * outputs) + outputs) * sizeof(float)]),
    };

    private static V1.NetworkSpec SpecOf(int inputs, int outputs) =>
        new() { InputSize = inputs, Layers = { new V1.LayerSpec { Outputs = outputs, Activation = V1.Activation.Sigmoid } } };
}
