using Backprop.Core.Kernels;

namespace Backprop.Core.Tests.Kernels;

public class KernelThreadsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Run_ManyPhases_EveryPartRunsOncePerPhase(int count)
    {
        using var threads = new KernelThreads(count);
        var calls = new int[count];

        for (var phase = 0; phase < 1000; phase++)
        {
            threads.Run(part => Interlocked.Increment(ref calls[part]));
        }

        Assert.All(calls, c => Assert.Equal(1000, c));
    }

    [Fact]
    public void Run_AfterWorkersFellAsleep_StillRunsEveryPart()
    {
        using var threads = new KernelThreads(3);
        var calls = 0;
        threads.Run(_ => Interlocked.Increment(ref calls));

        Thread.Sleep(200); // long past the spin: the workers now wait on their semaphores
        threads.Run(_ => Interlocked.Increment(ref calls));

        Assert.Equal(6, calls);
    }

    [Fact]
    public void Run_WorkerThrows_RethrowsOnCallerAndStaysUsable()
    {
        using var threads = new KernelThreads(2);

        var error = Assert.Throws<InvalidOperationException>(() => threads.Run(part =>
        {
            if (part == 1)
            {
                throw new InvalidOperationException("boom");
            }
        }));

        Assert.Equal("boom", error.Message);
        var calls = 0;
        threads.Run(_ => Interlocked.Increment(ref calls));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Run_ImmediatelyAfterConstruction_DoesNotMissTheFirstPhase()
    {
        // A worker thread may get scheduled only after the first phase has started.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var threads = new KernelThreads(3);
            var calls = 0;

            threads.Run(_ => Interlocked.Increment(ref calls));

            Assert.Equal(3, calls);
        }
    }
}
