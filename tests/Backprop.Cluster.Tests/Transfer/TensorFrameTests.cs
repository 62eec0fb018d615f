using Backprop.Cluster.Transfer;
using Backprop.Protocol;

namespace Backprop.Cluster.Tests.Transfer;

public sealed class TensorFrameTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void WriteThenRead_AnyLength_SameHeaderAndBits(int length)
    {
        var values = RandomValues(length, seed: length);
        var header = new TensorFrameHeader(long.MaxValue - 3, 4, 8, 256, 1.0 / 3.0, 0.125, length, TensorChecksum.Of(values));
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, header, values);
        stream.Position = 0;

        Assert.True(TensorFrame.TryReadHeader(stream, out var read));
        var received = new float[read.ValueCount];
        TensorFrame.ReadValues(stream, read, received);

        Assert.Equal(header, read);
        Assert.Equal(values, received);
        Assert.False(TensorFrame.TryReadHeader(stream, out _));
        Assert.Equal(TensorFrame.HeaderBytes + (4 * length), stream.Length);
    }

    [Fact]
    public void ReadValues_OneBitFlipped_ChecksumMismatch()
    {
        var values = RandomValues(64, seed: 1);
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, new TensorFrameHeader(7, 0, 0, 0, 0, 0, 64, TensorChecksum.Of(values)), values);
        stream.GetBuffer()[TensorFrame.HeaderBytes + 100] ^= 0x10;
        stream.Position = 0;
        Assert.True(TensorFrame.TryReadHeader(stream, out var header));

        var error = Assert.Throws<InvalidDataException>(() => TensorFrame.ReadValues(stream, header, new float[64]));

        Assert.Contains("checksum mismatch in the frame of step 7", error.Message);
    }

    [Fact]
    public void ReadValues_LengthOtherThanExpected_Refused()
    {
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, new TensorFrameHeader(1, 0, 0, 0, 0, 0, 3, TensorChecksum.Of(new float[3])), new float[3]);
        stream.Position = 0;
        Assert.True(TensorFrame.TryReadHeader(stream, out var header));

        Assert.Throws<InvalidDataException>(() => TensorFrame.ReadValues(stream, header, new float[4]));
    }

    [Fact]
    public void JobId_RoundTrips_AndAnAbsurdLengthIsRefused()
    {
        using var stream = new MemoryStream();
        TensorFrame.WriteJobId(stream, "job-ü-42");
        stream.Position = 0;
        Assert.Equal("job-ü-42", TensorFrame.ReadJobId(stream));

        using var hostile = new MemoryStream([0xFF, 0xFF, 0xFF, 0x7F]);
        Assert.Throws<InvalidDataException>(() => TensorFrame.ReadJobId(hostile));
    }

    [Fact]
    public void Write_HeaderCountDisagreesWithValues_Throws() =>
        Assert.Throws<ArgumentException>(() => TensorFrame.Write(Stream.Null, new TensorFrameHeader(1, 0, 0, 0, 0, 0, 5, 0), new float[4]));

    private static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }
}
