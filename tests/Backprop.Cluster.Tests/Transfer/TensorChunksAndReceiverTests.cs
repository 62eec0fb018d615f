using Backprop.Cluster.Transfer;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Google.Protobuf;

namespace Backprop.Cluster.Tests.Transfer;

public sealed class TensorChunksAndReceiverTests
{
    private const string JobId = "job-7";

    /// <summary>Chunk sizes in bytes: the minimum, not multiples of 4, small and large multiples.</summary>
    private static readonly int[] ChunkSizes = [4, 7, 13, 64, 4096 + 3, 8192];

    private static readonly int[] Lengths = [.. Enumerable.Range(0, 70), 255, 256, 257, 1023, 1024, 1025, 2047, 2048, 2049, 3001];

    [Fact]
    public void SplitThenReceive_EveryLengthAndChunkSize_SameBits()
    {
        var random = new Random(21);
        foreach (var length in Lengths)
        {
            var values = AwkwardFloats(random, length);
            foreach (var chunkBytes in ChunkSizes)
            {
                var receiver = new TensorReceiver<string>(length);
                var chunks = TensorChunks.Split(JobId, transferId: 5, values, chunkBytes);

                foreach (var chunk in chunks)
                {
                    receiver.Accept("sender", chunk);
                }

                var received = receiver.Complete("sender", 5, chunks.Count, TensorChecksum.Of(values));

                Assert.Equal(Bits(values), Bits(received));
                Assert.Equal(0, receiver.PendingCount);
            }
        }
    }

    [Fact]
    public void Split_EveryLengthAndChunkSize_ChunksInOrderEachWithinChunkBytes()
    {
        var random = new Random(22);
        foreach (var length in Lengths)
        {
            var values = AwkwardFloats(random, length);
            foreach (var chunkBytes in ChunkSizes)
            {
                var chunks = TensorChunks.Split(JobId, 9, values, chunkBytes);

                var perChunk = chunkBytes / sizeof(float);
                Assert.Equal(Math.Max(1, (length + perChunk - 1) / perChunk), chunks.Count);
                var offset = 0;
                for (var i = 0; i < chunks.Count; i++)
                {
                    Assert.InRange(chunks[i].Data.Length, 0, chunkBytes);
                    Assert.Equal(i, chunks[i].Sequence);
                    Assert.Equal(offset, chunks[i].Offset);
                    Assert.Equal(JobId, chunks[i].JobId);
                    Assert.Equal(9L, chunks[i].TransferId);
                    offset += chunks[i].Data.Length / sizeof(float);
                }

                Assert.Equal(length, offset);
            }
        }
    }

    [Fact]
    public void Split_EmptyTensor_OneEmptyChunk()
    {
        var chunks = TensorChunks.Split(JobId, 1, [], 64);

        var chunk = Assert.Single(chunks);
        Assert.True(chunk.Data.IsEmpty);
    }

    [Fact]
    public void Split_ChunkBytesBelowOneValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorChunks.Split(JobId, 1, new float[3], 3));
    }

    [Fact]
    public void Accept_ChunkOutOfSequence_ThrowsAndDropsTheTransfer()
    {
        var (receiver, chunks, _) = Transfer(length: 40, chunkBytes: 40);

        receiver.Accept("s", chunks[0]);
        var error = Assert.Throws<InvalidDataException>(() => receiver.Accept("s", chunks[2]));

        Assert.Contains("chunk 2", error.Message);
        Assert.Equal(0, receiver.PendingCount);
    }

    [Fact]
    public void Accept_SameChunkTwice_Throws()
    {
        var (receiver, chunks, _) = Transfer(length: 40, chunkBytes: 40);

        receiver.Accept("s", chunks[0]);

        Assert.Throws<InvalidDataException>(() => receiver.Accept("s", chunks[0]));
    }

    [Fact]
    public void Accept_FirstChunkNotSequenceZero_Throws()
    {
        var (receiver, chunks, _) = Transfer(length: 40, chunkBytes: 40);

        Assert.Throws<InvalidDataException>(() => receiver.Accept("s", chunks[1]));
        Assert.Equal(0, receiver.PendingCount);
    }

    [Fact]
    public void Accept_ChunkOverlappingThePrevious_Throws()
    {
        var (receiver, chunks, _) = Transfer(length: 40, chunkBytes: 40);
        receiver.Accept("s", chunks[0]);
        var overlapping = chunks[1].Clone();
        overlapping.Offset -= 1;

        var error = Assert.Throws<InvalidDataException>(() => receiver.Accept("s", overlapping));

        Assert.Contains($"offset {overlapping.Offset}", error.Message);
    }

    [Fact]
    public void Accept_ChunkLeavingAGap_Throws()
    {
        var (receiver, chunks, _) = Transfer(length: 40, chunkBytes: 40);
        receiver.Accept("s", chunks[0]);
        var gap = chunks[1].Clone();
        gap.Offset += 1;

        Assert.Throws<InvalidDataException>(() => receiver.Accept("s", gap));
    }

    [Fact]
    public void Accept_ChunkRunningPastTheEnd_Throws()
    {
        var receiver = new TensorReceiver<string>(10);
        var chunks = TensorChunks.Split(JobId, 1, new float[12], 32);
        receiver.Accept("s", chunks[0]);

        var error = Assert.Throws<InvalidDataException>(() => receiver.Accept("s", chunks[1]));

        Assert.Contains("of 10", error.Message);
    }

    [Fact]
    public void Accept_DataNotWholeFloats_Throws()
    {
        var receiver = new TensorReceiver<string>(10);
        var chunk = new TensorChunk { JobId = JobId, TransferId = 1, Sequence = 0, Offset = 0, Data = ByteString.CopyFrom(1, 2, 3) };

        Assert.Throws<InvalidDataException>(() => receiver.Accept("s", chunk));
    }

    [Fact]
    public void Complete_MissingLastChunk_ThrowsNamingTheCounts()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        foreach (var chunk in chunks.SkipLast(1))
        {
            receiver.Accept("s", chunk);
        }

        var error = Assert.Throws<InvalidDataException>(() => receiver.Complete("s", 1, chunks.Count, checksum));

        Assert.Contains($"{chunks.Count - 1} of {chunks.Count} chunks", error.Message);
        Assert.Equal(0, receiver.PendingCount);
    }

    [Fact]
    public void Complete_MoreChunksThanAnnounced_Throws()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        foreach (var chunk in chunks)
        {
            receiver.Accept("s", chunk);
        }

        Assert.Throws<InvalidDataException>(() => receiver.Complete("s", 1, chunks.Count - 1, checksum));
    }

    [Fact]
    public void Complete_NoChunksArrived_Throws()
    {
        var receiver = new TensorReceiver<string>(10);

        var error = Assert.Throws<InvalidDataException>(() => receiver.Complete("s", 3, 1, 0));

        Assert.Contains("no chunks arrived", error.Message);
    }

    [Fact]
    public void Complete_OneBitFlippedInOneChunk_ChecksumMismatch()
    {
        var random = new Random(23);
        for (var trial = 0; trial < 50; trial++)
        {
            var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40, seed: trial);
            var victim = random.Next(chunks.Count);
            var bytes = chunks[victim].Data.ToByteArray();
            var bit = random.Next(bytes.Length * 8);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            chunks[victim] = chunks[victim].Clone();
            chunks[victim].Data = ByteString.CopyFrom(bytes);
            foreach (var chunk in chunks)
            {
                receiver.Accept("s", chunk);
            }

            var error = Assert.Throws<InvalidDataException>(() => receiver.Complete("s", 1, chunks.Count, checksum));

            Assert.Contains("checksum mismatch", error.Message);
        }
    }

    [Fact]
    public void Accept_TwoSendersSameTransferIdInterleaved_EachGetsItsOwnTensor()
    {
        var first = AwkwardFloats(new Random(24), 100);
        var second = AwkwardFloats(new Random(25), 100);
        var receiver = new TensorReceiver<string>(100);
        var chunksOfFirst = TensorChunks.Split(JobId, 1, first, 64);
        var chunksOfSecond = TensorChunks.Split(JobId, 1, second, 64);

        for (var i = 0; i < chunksOfFirst.Count; i++)
        {
            receiver.Accept("first", chunksOfFirst[i]);
            receiver.Accept("second", chunksOfSecond[i]);
        }

        Assert.Equal(2, receiver.PendingCount);
        Assert.Equal(Bits(second), Bits(receiver.Complete("second", 1, chunksOfSecond.Count, TensorChecksum.Of(second))));
        Assert.Equal(Bits(first), Bits(receiver.Complete("first", 1, chunksOfFirst.Count, TensorChecksum.Of(first))));
    }

    [Fact]
    public void Forget_Sender_DropsOnlyItsPartialTransfers()
    {
        var values = AwkwardFloats(new Random(26), 40);
        var receiver = new TensorReceiver<string>(40);
        var chunks = TensorChunks.Split(JobId, 1, values, 40);
        receiver.Accept("gone", chunks[0]);
        receiver.Accept("gone", TensorChunks.Split(JobId, 2, values, 40)[0]);
        receiver.Accept("stays", chunks[0]);

        receiver.Forget("gone");

        Assert.Equal(1, receiver.PendingCount);
        Assert.Throws<InvalidDataException>(() => receiver.Complete("gone", 1, chunks.Count, TensorChecksum.Of(values)));
        foreach (var chunk in chunks.Skip(1))
        {
            receiver.Accept("stays", chunk);
        }

        Assert.Equal(Bits(values), Bits(receiver.Complete("stays", 1, chunks.Count, TensorChecksum.Of(values))));
    }

    [Fact]
    public void Forget_ThenTheSameTransferAgain_StartsFromChunkZero()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        receiver.Accept("s", chunks[0]);
        receiver.Accept("s", chunks[1]);

        receiver.Forget("s");
        foreach (var chunk in chunks)
        {
            receiver.Accept("s", chunk);
        }

        Assert.Equal(40, receiver.Complete("s", 1, chunks.Count, checksum).Length);
    }

    [Fact]
    public void Return_CompletedBuffer_NextTransferReusesTheSameArray()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        foreach (var chunk in chunks)
        {
            receiver.Accept("s", chunk);
        }

        var first = receiver.Complete("s", 1, chunks.Count, checksum);

        receiver.Return(first);
        var next = AwkwardFloats(new Random(27), 40);
        var nextChunks = TensorChunks.Split(JobId, 2, next, 40);
        foreach (var chunk in nextChunks)
        {
            receiver.Accept("s", chunk);
        }

        var second = receiver.Complete("s", 2, nextChunks.Count, TensorChecksum.Of(next));
        Assert.Same(first, second);
        Assert.Equal(Bits(next), Bits(second));
    }

    [Fact]
    public void Complete_WithoutReturn_NextTransferGetsAFreshArray()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        foreach (var chunk in chunks)
        {
            receiver.Accept("s", chunk);
        }

        var first = receiver.Complete("s", 1, chunks.Count, checksum);
        foreach (var chunk in TensorChunks.Split(JobId, 2, new float[40], 40))
        {
            receiver.Accept("s", chunk);
        }

        var second = receiver.Complete("s", 2, chunks.Count, TensorChecksum.Of(new float[40]));
        Assert.NotSame(first, second);
        Assert.Equal(Bits(AwkwardFloats(new Random(0), 40)), Bits(first));
    }

    [Fact]
    public void Forget_PartialTransfer_ItsBufferGoesBackForReuse()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        var pooled = new float[40];
        receiver.Return(pooled);
        receiver.Accept("gone", chunks[0]);

        receiver.Forget("gone");
        foreach (var chunk in chunks)
        {
            receiver.Accept("next", chunk);
        }

        Assert.Same(pooled, receiver.Complete("next", 1, chunks.Count, checksum));
    }

    [Fact]
    public void Accept_RejectedChunk_ItsTransfersBufferGoesBackForReuse()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        var pooled = new float[40];
        receiver.Return(pooled);
        receiver.Accept("bad", chunks[0]);
        Assert.Throws<InvalidDataException>(() => receiver.Accept("bad", chunks[2]));

        foreach (var chunk in chunks)
        {
            receiver.Accept("next", chunk);
        }

        Assert.Same(pooled, receiver.Complete("next", 1, chunks.Count, checksum));
    }

    [Fact]
    public void Complete_Failed_ItsBufferGoesBackForReuse()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        var pooled = new float[40];
        receiver.Return(pooled);
        foreach (var chunk in chunks)
        {
            receiver.Accept("bad", chunk);
        }

        Assert.Throws<InvalidDataException>(() => receiver.Complete("bad", 1, chunks.Count, checksum ^ 1));
        foreach (var chunk in chunks)
        {
            receiver.Accept("next", chunk);
        }

        Assert.Same(pooled, receiver.Complete("next", 1, chunks.Count, checksum));
    }

    [Fact]
    public void Return_BufferOfAnotherLength_IsNotReused()
    {
        var (receiver, chunks, checksum) = Transfer(length: 40, chunkBytes: 40);
        var foreign = new float[39];

        receiver.Return(foreign);
        foreach (var chunk in chunks)
        {
            receiver.Accept("s", chunk);
        }

        Assert.Equal(40, receiver.Complete("s", 1, chunks.Count, checksum).Length);
    }

    /// <summary>A receiver of <paramref name="length"/> values and the chunks of transfer 1 of seeded values.</summary>
    private static (TensorReceiver<string> Receiver, List<TensorChunk> Chunks, ulong Checksum) Transfer(int length, int chunkBytes, int seed = 0)
    {
        var values = AwkwardFloats(new Random(seed), length);
        var chunks = TensorChunks.Split(JobId, 1, values, chunkBytes);
        Assert.True(chunks.Count >= 3, "the scenario needs at least three chunks");
        return (new TensorReceiver<string>(length), chunks, TensorChecksum.Of(values));
    }

    /// <summary>Random floats, with NaNs carrying payloads, signed zeros, infinities and subnormals mixed in.</summary>
    private static float[] AwkwardFloats(Random random, int length)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (i % 7) switch
            {
                0 => BitConverter.Int32BitsToSingle(random.Next()),
                1 => BitConverter.Int32BitsToSingle(unchecked((int)0xFFC0_0001u) ^ random.Next(1 << 20)),
                2 => -0f,
                3 => float.Epsilon * random.Next(1, 1000),
                4 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                _ => (float)(random.NextDouble() - 0.5) * 1e6f,
            };
        }

        return values;
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
