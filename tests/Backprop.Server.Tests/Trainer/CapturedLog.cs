using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Backprop.Server.Tests.Trainer;

/// <summary>A log provider that keeps every line a node writes, with its exception, as the console would show it.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLine> _lines = new();

    /// <summary>How many lines were written so far: a mark for <see cref="Since"/>.</summary>
    public int Count => _lines.Count;

    /// <summary>The lines written after <paramref name="mark"/>.</summary>
    public IReadOnlyList<CapturedLine> Since(int mark) => _lines.Skip(mark).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new CapturedLine(category, logLevel, exception is null ? formatter(state, exception) : $"{formatter(state, exception)}{Environment.NewLine}{exception}"));
    }
}

/// <summary>One entry of a <see cref="CapturedLog"/>: its text holds the exception's stack trace when it had one.</summary>
internal sealed record CapturedLine(string Category, LogLevel Level, string Text);
