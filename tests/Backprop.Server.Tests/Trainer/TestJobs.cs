using System.Globalization;
using System.Text;
using Backprop.Protocol.V1;

namespace Backprop.Server.Tests.Trainer;

/// <summary>Small jobs and datasets for the Trainer service's tests.</summary>
internal static class TestJobs
{
    /// <summary>A CSV of <paramref name="rows"/> points in [-1, 1]² labelled by the sign of x·y (an XOR of quadrants).</summary>
    public static byte[] QuadrantsCsv(int rows = 256)
    {
        var random = new Random(7);
        var text = new StringBuilder();
        for (var i = 0; i < rows; i++)
        {
            var x = (random.NextDouble() * 2) - 1;
            var y = (random.NextDouble() * 2) - 1;
            text.Append(CultureInfo.InvariantCulture, $"{x:F4},{y:F4},{(x * y > 0 ? 1 : 0)}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A 2-8-K tanh/softmax network with the sizes left to the dataset, trained with SGD.</summary>
    public static SubmitJobRequest Request(DatasetReference dataset, int epochs = 3, int batchSize = 16, string name = "test") => new()
    {
        Name = name,
        Spec = new NetworkSpec
        {
            Layers =
            {
                new LayerSpec { Outputs = 8, Activation = Activation.Tanh },
                new LayerSpec { Outputs = 0, Activation = Activation.Softmax },
            },
        },
        Dataset = dataset,
        Training = new TrainingSettings
        {
            Loss = Loss.CrossEntropy,
            Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.1f },
            Schedule = ScheduleKind.Constant,
            BatchSize = batchSize,
            Epochs = epochs,
            Seed = 3,
        },
    };

    /// <summary>The built-in XOR points (four samples).</summary>
    public static DatasetReference Xor => new() { BuiltIn = "xor" };

    /// <summary>The built-in spirals: enough steps to still be running when a test acts on the job.</summary>
    public static DatasetReference Spirals => new() { BuiltIn = "spirals" };
}
