using Backprop.Core.Losses;
using Backprop.Core.Model;
using Backprop.Core.Optimizers;
using Backprop.Core.Tests.Kernels;
using Backprop.Core.Training;

namespace Backprop.Core.Tests.Training;

public class BackpropagatorAllocationTests
{
    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid, LossKind.MeanSquaredError)]
    [InlineData(Activation.Relu, Activation.Softmax, LossKind.CrossEntropy)]
    public void TrainingStep_SteadyState_AllocatesNothing(Activation hidden, Activation output, LossKind loss)
    {
        const int rows = 37;
        var spec = NetworkSpec.Create(60, [33, 17], 10, hidden, output);
        var parameters = ParameterInitializer.Initialize(spec, 1).Parameters;
        var inputs = GemmTests.RandomMatrix(new Random(1), rows * spec.InputSize);
        var targets = new float[rows * spec.OutputSize];
        for (var r = 0; r < rows; r++)
        {
            targets[(r * spec.OutputSize) + (r % spec.OutputSize)] = 1;
        }

        using var pass = new Backpropagator(spec, rows);
        var gradientSums = new float[spec.ParameterCount];
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 1e-3f), spec.ParameterCount);
        void Step()
        {
            pass.ComputeGradientSums(parameters, loss, inputs, targets, rows, gradientSums);
            optimizer.Step(parameters, gradientSums, rows, 1e-3f);
        }

        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
