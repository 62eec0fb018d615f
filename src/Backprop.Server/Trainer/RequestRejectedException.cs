namespace Backprop.Server.Trainer;

/// <summary>Why a request to the Trainer service was refused; the service maps each to a gRPC status code.</summary>
public enum Rejection
{
    /// <summary>A field's value is wrong (InvalidArgument).</summary>
    InvalidArgument,

    /// <summary>The job or dataset the request names does not exist (NotFound).</summary>
    NotFound,

    /// <summary>A configured limit would be exceeded (ResourceExhausted).</summary>
    ResourceExhausted,

    /// <summary>The request does not fit the job's state, e.g. the model of a job still training (FailedPrecondition).</summary>
    FailedPrecondition,

    /// <summary>The cluster cannot take the request now, e.g. no job manager answered (Unavailable).</summary>
    Unavailable,
}

/// <summary>A request the Trainer service refuses: <see cref="Field"/> names the request field, <see cref="Reason"/> says what is wrong with it.</summary>
public sealed class RequestRejectedException(Rejection kind, string field, string reason)
    : Exception($"{field}: {reason}")
{
    /// <summary>Which kind of refusal this is.</summary>
    public Rejection Kind { get; } = kind;

    /// <summary>The request field at fault, in the .proto's snake_case with dots (e.g. "training.batch_size").</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong with it, and where it helps, how to fix it.</summary>
    public string Reason { get; } = reason;
}
