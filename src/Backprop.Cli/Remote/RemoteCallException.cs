namespace Backprop.Cli.Remote;

/// <summary>A call to the server failed for a reason outside the user's input (unreachable, an internal error); the message is one line.</summary>
internal sealed class RemoteCallException(string message, Exception? inner = null) : Exception(message, inner);
