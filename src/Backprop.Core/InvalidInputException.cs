namespace Backprop.Core;

/// <summary>
/// Raised when something a user supplied (a file, a flag, a model) cannot be used.
/// The message is one line that names the source, the place in it and the reason,
/// e.g. <c>train.csv: line 12, column 3: 'abc' is not a number</c>.
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>Creates the exception from a ready one-line message.</summary>
    public InvalidInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception as <c>source: location: reason</c>.</summary>
    public InvalidInputException(string source, string location, string reason)
        : base($"{source}: {location}: {reason}")
    {
    }
}
