namespace Backprop.Core.Kernels;

/// <summary>
/// A small team of persistent threads that runs one parallel phase at a time: <see cref="Run"/> calls
/// the work with part indices 0..<see cref="Count"/>−1 (the caller runs part 0) and returns when all
/// parts are done. Waking is a spin on a generation counter, so the many short phases of a training
/// step cost microseconds, not a thread-pool hop; idle workers fall asleep after a short spin.
/// Running a phase allocates nothing.
/// </summary>
public sealed class KernelThreads : IDisposable
{
    /// <summary>How long an idle worker spins before it sleeps (SpinWait iterations).</summary>
    private const int SpinsBeforeSleep = 4_000;

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _wakeUps;
    private readonly int[] _sleeping;
    private Action<int>? _work;
    private int _generation;
    private int _pending;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>A team of <paramref name="count"/> participants: the caller and count − 1 worker threads.</summary>
    public KernelThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        _workers = new Thread[count - 1];
        _wakeUps = new SemaphoreSlim[count - 1];
        _sleeping = new int[count - 1];
        for (var w = 0; w < _workers.Length; w++)
        {
            _wakeUps[w] = new SemaphoreSlim(0);
            var part = w + 1;
            _workers[w] = new Thread(() => WorkerLoop(part)) { IsBackground = true, Name = $"backprop-kernel-{part}" };
            _workers[w].Start();
        }
    }

    /// <summary>Participants in each phase, the caller included.</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="work"/>(part) for every part and waits for all; rethrows the first failure.</summary>
    public void Run(Action<int> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Count == 1)
        {
            work(0);
            return;
        }

        _work = work;
        _failure = null;
        Volatile.Write(ref _pending, Count - 1);
        Interlocked.Increment(ref _generation);
        for (var w = 0; w < _workers.Length; w++)
        {
            if (Interlocked.Exchange(ref _sleeping[w], 0) == 1)
            {
                _wakeUps[w].Release();
            }
        }

        try
        {
            work(0);
        }
        finally
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        if (_failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interlocked.Increment(ref _generation);
        foreach (var wakeUp in _wakeUps)
        {
            wakeUp.Release();
        }

        foreach (var worker in _workers)
        {
            worker.Join();
        }

        foreach (var wakeUp in _wakeUps)
        {
            wakeUp.Dispose();
        }
    }

    private void WorkerLoop(int part)
    {
        // Generation 0 is the one before any phase. Reading the counter here instead would miss a
        // phase that the constructor's caller started before this thread got scheduled.
        var seen = 0;
        while (true)
        {
            seen = AwaitNextGeneration(part - 1, seen);
            if (_disposed)
            {
                return;
            }

            try
            {
                _work!(part);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _failure, exception, null);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Spins, then sleeps, until the generation moves past <paramref name="seen"/>; returns the new one.</summary>
    private int AwaitNextGeneration(int worker, int seen)
    {
        while (true)
        {
            var spin = new SpinWait();
            for (var i = 0; i < SpinsBeforeSleep; i++)
            {
                var current = Volatile.Read(ref _generation);
                if (current != seen)
                {
                    return current;
                }

                spin.SpinOnce(sleep1Threshold: -1);
            }

            // Announce the sleep, then look once more: a phase started in between is either seen here
            // or wakes us through the semaphore (a stray release only causes one extra loop). The
            // announcement must be a full fence (Dekker): a plain store could still sit in the store
            // buffer when the generation is read, and Run would miss the sleeper.
            Interlocked.Exchange(ref _sleeping[worker], 1);
            var latest = Volatile.Read(ref _generation);
            if (latest != seen)
            {
                Interlocked.Exchange(ref _sleeping[worker], 0);
                return latest;
            }

            _wakeUps[worker].Wait();
        }
    }
}
