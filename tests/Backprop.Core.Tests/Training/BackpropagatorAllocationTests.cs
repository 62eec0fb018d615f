using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Tests.Kernels;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class BackpropagatorAllocationTests
{
    /// <summary>Rows per step: 37 are one leaf, or 8 leaves of 5 rows (the last of 2), or 37 leaves of 1.</summary>
    private const int Rows = 37;

    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, Rows, true, false)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, Rows, true, false)]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 5, true, false)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, 5, true, false)]
    [InlineData(Activation.Tanh, Activation.Softmax, LossKind.CrossEntropy, 1, false, false)]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError, 5, true, true)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy, Rows, true, true)]
    public void TrainingStep_SteadyState_AllocatesNothing(Activation hidden, Activation output, LossKind loss, int shardSize, bool shardSizeKnownUpFront, bool fusedStep)
    {
        const int rows = Rows;
        var spec = NetworkSpec.Create(60, [33, 17], 10, hidden, output);
        var parameters = ParameterInitializer.Initialize(spec, 1).Parameters;
        var inputs = GemmTests.RandomMatrix(new Random(1), rows * spec.InputSize);
        var targets = new float[rows * spec.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            targets[(r * spec.OutputSize) + (r % spec.OutputSize)] = 1;
        }

        // Told the shard size, the constructor sizes the tree's stack; else the first step does, once.
        using var pass = shardSizeKnownUpFront ? new Backpropagator(spec, rows, shardSize: shardSize) : new Backpropagator(spec, rows);
        var gradientSums = new float[spec.ParameterCount];
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 1e-3f), spec.ParameterCount);
        void Step()
        {
            if (fusedStep)
            {
                pass.ComputeGradientSumsAndStep(parameters, loss, inputs, targets, rows, shardSize, gradientSums, optimizer.BeginStep(rows, 1e-3f));
                return;
            }

            pass.ComputeGradientSums(parameters, loss, inputs, targets, rows, shardSize, gradientSums);
            optimizer.Step(parameters, gradientSums, rows, 1e-3f);
        }

        // The runtime itself may allocate now and then on this thread while it re-compiles hot
        // methods (tiered JIT); a step that allocates would do so in every window, so one clean
        // window of 20 steps out of several proves the steady state allocates nothing.
        var allocatedPerWindow = new List<long>();
        for (var window = 0; window < 10; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++)
            {
                Step();
            }

            allocatedPerWindow.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (allocatedPerWindow[^1] == 0)
            {
                break;
            }
        }

        Assert.True(allocatedPerWindow[^1] == 0, $"bytes allocated per window of 20 steps: {string.Join(", ", allocatedPerWindow)}");
    }
}
