using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class ElementwiseAddTests
{
    [Fact]
    public void Compute_EveryLength0To256_MatchesScalarSum()
    {
        for (var length = 0; length <= 256; length++)
        {
            var random = new Random(length);
            var x = GemmTests.RandomMatrix(random, length);
            var y = GemmTests.RandomMatrix(random, length);
            var sum = new float[length];

            ElementwiseAdd.Compute(x, y, sum);

            for (var i = 0; i < length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(x[i] + y[i]) == BitConverter.SingleToInt32Bits(sum[i]), $"length {length}, element {i}");
            }
        }
    }

    [Fact]
    public void Compute_InPlaceOnEitherOperand_SameAsSeparateDestination()
    {
        var x = GemmTests.RandomMatrix(new Random(3), 77);
        var y = GemmTests.RandomMatrix(new Random(4), 77);
        var expected = new float[77];
        ElementwiseAdd.Compute(x, y, expected);
        var intoX = x.ToArray();
        var intoY = y.ToArray();

        ElementwiseAdd.Compute(intoX, y, intoX);
        ElementwiseAdd.Compute(x, intoY, intoY);

        Assert.Equal(expected, intoX);
        Assert.Equal(expected, intoY);
    }

    [Fact]
    public void Compute_MismatchedLengths_ThrowsNamingDestination()
    {
        var exception = Assert.Throws<ArgumentException>(() => ElementwiseAdd.Compute(new float[3], new float[4], new float[3]));

        Assert.Equal("destination", exception.ParamName);
    }
}
