using Backprop.Cluster.Transfer;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Transfer;

public sealed class TensorBufferPoolTests
{
    [Fact]
    public void Rent_RequestedLengths_EachGetsItsOwnReturnedBuffer()
    {
        var pool = new TensorBufferPool(100);
        var whole = pool.Rent();
        var slice = pool.Rent(30);
        pool.Return(whole);
        pool.Return(slice);

        Assert.Same(slice, pool.Rent(30));
        Assert.Same(whole, pool.Rent(100));
        Assert.Equal(7, pool.Rent(7).Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Rent_LengthOutsideTheTensor_Throws(int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBufferPool(100).Rent(length));

    [Fact]
    public void Return_LongerThanTheTensor_NotReused()
    {
        var pool = new TensorBufferPool(4);
        pool.Return(new float[5]);

        Assert.Equal(4, pool.Rent().Length);
    }

    [Fact]
    public void SharedTensor_LastHolderReleases_BufferBackInThePool_SourceChangesDoNotReachIt()
    {
        var pool = new TensorBufferPool(3);
        float[] source = [1, 2, 3];
        var snapshot = SharedTensor.CopyOf(source, pool);
        source[0] = 42;
        snapshot.Retain();

        snapshot.Release();
        Assert.NotSame(snapshot.Values, pool.Rent());
        snapshot.Release();

        Assert.Equal([1f, 2f, 3f], snapshot.Values);
        Assert.Equal(TensorChecksum.Of([1f, 2f, 3f]), snapshot.Checksum);
        Assert.Same(snapshot.Values, pool.Rent());
        Assert.Throws<InvalidOperationException>(snapshot.Release);
    }
}
