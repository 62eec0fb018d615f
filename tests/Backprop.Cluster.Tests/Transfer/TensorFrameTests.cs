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
        var header = new TensorFrameHeader(long.MaxValue - 3, 4, 8, 256, 1.0 / 3.0, 0.125, 0, length, TensorChecksum.Of(values));
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, header, values);
        stream.Position = 0;

        Assert.True(TensorFrame.TryReadHeader(stream, length, out var read));
        var received = new float[read.ValueCount];
        TensorFrame.ReadValues(stream, read, received);

        Assert.Equal(header, read);
        Assert.Equal(values, received);
        Assert.False(TensorFrame.TryReadHeader(stream, length, out _));
        Assert.Equal(TensorFrame.HeaderBytes + (4 * length), stream.Length);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 999)]
    [InlineData(500, 250)]
    [InlineData(999, 1)]
    [InlineData(1000, 0)]
    public void WriteThenRead_SliceOfTheTensor_SameOffsetLengthAndBits(int offset, int length)
    {
        var tensor = RandomValues(1000, seed: 3);
        var slice = tensor.AsSpan(offset, length);
        var header = new TensorFrameHeader(9, 0, 2, 64, 0.5, 0.25, offset, length, TensorChecksum.Of(slice)) { Kind = TensorFrameKind.ScatterSums, Round = 7 };
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, header, slice);
        stream.Position = 0;

        Assert.True(TensorFrame.TryReadHeader(stream, tensor.Length, out var read));
        var received = new float[read.ValueCount];
        TensorFrame.ReadValues(stream, read, received);

        Assert.Equal(header, read);
        Assert.Equal(offset, read.Offset);
        Assert.Equal(slice.ToArray(), received);
        Assert.Equal(offset == 0 && length == tensor.Length, read.IsWhole(tensor.Length));
    }

    [Theory]
    [InlineData(-1, 10, "offset -1 is negative")]
    [InlineData(0, -5, "value count -5 is negative")]
    [InlineData(95, 10, "offset 95 + value count 10 exceeds the 100 values of the tensor")]
    [InlineData(int.MaxValue, int.MaxValue, "offset 2147483647 + value count 2147483647 exceeds the 100 values")]
    public void TryReadHeader_SliceOutsideTheTensor_RefusedNamingTheField(int offset, int length, string expected)
    {
        using var stream = new MemoryStream();
        // The values are never read: the header alone is refused.
        TensorFrame.Write(stream, new TensorFrameHeader(5, 0, 0, 0, 0, 0, 0, 0, 0), []);
        var bytes = stream.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(48), offset);

        var error = Assert.Throws<InvalidDataException>(() => TensorFrame.TryReadHeader(new MemoryStream(bytes), 100, out _));

        Assert.Contains("in the frame of step 5", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ReadValues_OneBitFlipped_ChecksumMismatch()
    {
        var values = RandomValues(64, seed: 1);
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, new TensorFrameHeader(7, 0, 0, 0, 0, 0, 0, 64, TensorChecksum.Of(values)), values);
        stream.GetBuffer()[TensorFrame.HeaderBytes + 100] ^= 0x10;
        stream.Position = 0;
        Assert.True(TensorFrame.TryReadHeader(stream, 64, out var header));

        var error = Assert.Throws<InvalidDataException>(() => TensorFrame.ReadValues(stream, header, new float[64]));

        Assert.Contains("checksum mismatch in the frame of step 7", error.Message);
    }

    [Fact]
    public void ReadValues_LengthOtherThanExpected_Refused()
    {
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, new TensorFrameHeader(1, 0, 0, 0, 0, 0, 0, 3, TensorChecksum.Of(new float[3])), new float[3]);
        stream.Position = 0;
        Assert.True(TensorFrame.TryReadHeader(stream, 4, out var header));

        Assert.Throws<InvalidDataException>(() => TensorFrame.ReadValues(stream, header, new float[4]));
    }

    [Fact]
    public async Task Handshake_RoundTrips_AndAnAbsurdLengthIsRefused()
    {
        using var stream = new MemoryStream();
        await TensorFrame.WriteHandshakeAsync(stream, "job-ü-42", "akka.tcp://backprop@10.0.0.2:4053/user/gradient-worker", CancellationToken.None);
        stream.Position = 0;
        Assert.Equal(("job-ü-42", "akka.tcp://backprop@10.0.0.2:4053/user/gradient-worker"), await TensorFrame.ReadHandshakeAsync(stream, CancellationToken.None));

        using var hostile = new MemoryStream([0xFF, 0xFF, 0xFF, 0x7F]);
        await Assert.ThrowsAsync<InvalidDataException>(() => TensorFrame.ReadHandshakeAsync(hostile, CancellationToken.None));
    }

    [Fact]
    public void TryReadHeader_UnknownKind_RefusedNamingIt()
    {
        var header = new TensorFrameHeader(1, 0, 0, 0, 0, 0, 0, 0, 0) { Kind = (TensorFrameKind)99 };
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, header, []);
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => TensorFrame.TryReadHeader(stream, 4, out _));
        Assert.Contains("kind 99 is unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_HeaderCountDisagreesWithValues_Throws() =>
        Assert.Throws<ArgumentException>(() => TensorFrame.Write(Stream.Null, new TensorFrameHeader(1, 0, 0, 0, 0, 0, 0, 5, 0), new float[4]));

    private static float[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }
}
