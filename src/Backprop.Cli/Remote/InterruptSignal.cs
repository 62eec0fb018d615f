namespace Backprop.Cli.Remote;

/// <summary>Ctrl+C as a cancellation token while it is alive, instead of ending the process (a watch stops; the job goes on).</summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public InterruptSignal() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Cancelled once Ctrl+C was pressed.</summary>
    public CancellationToken Token => _source.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _source.Cancel();
    }
}
