using Backprop.Core.Optimizers;

namespace Backprop.Core.Tests.Optimizers;

/// <summary>A step applied slice by slice (<see cref="Optimizer.BeginStep"/>) against the full-vector step: the same bits.</summary>
public class OptimizerSliceTests
{
    /// <summary>Parameters: not a multiple of any vector width, so slices start and end off the vector grid.</summary>
    private const int Count = 67;

    public static TheoryData<OptimizerKind, bool> Kinds => new()
    {
        { OptimizerKind.Sgd, false }, { OptimizerKind.Momentum, false }, { OptimizerKind.Momentum, true }, { OptimizerKind.Adam, false },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Apply_RandomSlicesInRandomOrder_SameBitsAsFullStepsOverSeveralSteps(OptimizerKind kind, bool nesterov)
    {
        // Arrange
        var random = new Random(17);
        var settings = new OptimizerSettings(kind, 0.05f, Nesterov: nesterov, WeightDecay: 0.01f);
        var whole = Optimizer.Create(settings, Count);
        var sliced = Optimizer.Create(settings, Count);
        var wholeParameters = Enumerable.Range(0, Count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var slicedParameters = (float[])wholeParameters.Clone();

        for (var step = 0; step < 6; step++)
        {
            var sums = Enumerable.Range(0, Count).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
            var learningRate = 0.05f / (step + 1);

            // Act
            whole.Step(wholeParameters, sums, 7, learningRate);
            var slices = sliced.BeginStep(7, learningRate);
            foreach (var (offset, length) in RandomSlices(random))
            {
                slices.Apply(offset, slicedParameters.AsSpan(offset, length), sums.AsSpan(offset, length));
            }

            // Assert
            Assert.Equal(Bits(wholeParameters), Bits(slicedParameters));
            var wholeState = whole.CaptureState();
            var slicedState = sliced.CaptureState();
            Assert.Equal(wholeState.StepCount, slicedState.StepCount);
            Assert.Equal(wholeState.Buffers.Select(Bits), slicedState.Buffers.Select(Bits));
        }
    }

    [Fact]
    public void Apply_SlicesOfASteadyStep_AllocateNothing()
    {
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 0.01f), Count);
        var parameters = new float[Count];
        var sums = Enumerable.Repeat(0.5f, Count).ToArray();
        void Step()
        {
            var step = optimizer.BeginStep(3, 0.01f);
            step.Apply(0, parameters.AsSpan(0, 30), sums.AsSpan(0, 30));
            step.Apply(30, parameters.AsSpan(30), sums.AsSpan(30));
        }

        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Apply_AfterTheNextStepBegan_Throws()
    {
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 0.01f), 4);
        var stale = optimizer.BeginStep(1, 0.01f);
        optimizer.BeginStep(1, 0.01f);

        var error = Assert.Throws<InvalidOperationException>(() => stale.Apply(0, new float[4], new float[4]));

        Assert.Contains("step 1 is over: step 2 has begun", error.Message);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 0)]
    public void Apply_SliceOutsideTheParameters_ThrowsNamingOffset(int offset, int length)
    {
        var step = Optimizer.Create(new OptimizerSettings(OptimizerKind.Momentum, 0.01f), 4).BeginStep(1, 0.01f);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => step.Apply(offset, new float[length], new float[length]));

        Assert.Equal("offset", error.ParamName);
        Assert.Contains("optimizer's 4 parameters", error.Message);
    }

    [Fact]
    public void Apply_GradientLengthDiffers_ThrowsNamingGradientSums()
    {
        var step = new SgdOptimizer(0f).BeginStep(1, 0.1f);

        var error = Assert.Throws<ArgumentException>(() => step.Apply(0, new float[3], new float[2]));

        Assert.Equal("gradientSums", error.ParamName);
    }

    [Fact]
    public void Apply_DefaultStep_ThrowsSayingWhereStepsComeFrom()
    {
        var error = Assert.Throws<InvalidOperationException>(() => default(OptimizerStep).Apply(0, new float[1], new float[1]));

        Assert.Contains("BeginStep", error.Message);
    }

    [Fact]
    public void Step_BadLengths_LeavesTheStepCountAlone()
    {
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Adam, 0.01f), 4);

        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[4], new float[3], 1, 0.01f));
        Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[3], 1, 0.01f));

        Assert.Equal(0, optimizer.CaptureState().StepCount);
    }

    /// <summary>[0, Count) cut at up to six random points, the pieces shuffled.</summary>
    private static (int Offset, int Length)[] RandomSlices(Random random)
    {
        var cuts = Enumerable.Range(0, random.Next(0, 7)).Select(_ => random.Next(1, Count)).Append(0).Append(Count).Distinct().Order().ToList();
        var slices = cuts.Zip(cuts.Skip(1), (first, end) => (first, end - first)).ToArray();
        random.Shuffle(slices);
        return slices;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
