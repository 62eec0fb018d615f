namespace Backprop.Server.Trainer;

/// <summary>
/// The Trainer gRPC service of a coordinator node: where it keeps datasets and jobs, who may call it, and its
/// limits. Bound from the <c>Trainer</c> section, overridable by environment variables <c>Trainer__Key</c>.
/// </summary>
public sealed class TrainerOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string Section = "Trainer";

    /// <summary>
    /// The coordinator's data volume (relative paths resolve against the working directory): dataset paths of
    /// <c>SubmitJob</c> are relative to it, uploads go to <c>uploads/</c> and job records to <c>jobs/</c> under it.
    /// </summary>
    public string DataRoot { get; set; } = "data";

    /// <summary>When not empty, every call except health checks must carry <c>authorization: Bearer &lt;token&gt;</c>.</summary>
    public string Token { get; set; } = "";

    /// <summary>
    /// Calls without a valid token that one client address may make in <see cref="AuthFailureWindow"/>; later ones
    /// are answered <c>ResourceExhausted</c>, unlogged, until the window ends. Calls with the token are never limited.
    /// </summary>
    public int AuthFailuresPerAddress { get; set; } = 10;

    /// <summary>The window the limits on failed authentications count in.</summary>
    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Failed authentications logged in <see cref="AuthFailureWindow"/>, all addresses together (one line each); the
    /// rest are refused just the same, without a line.
    /// </summary>
    public int AuthFailuresLogged { get; set; } = 100;

    /// <summary>Largest network accepted, in parameters (weights and biases).</summary>
    public long MaxParameters { get; set; } = 50_000_000;

    /// <summary>Largest dataset upload accepted, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 1L << 30;

    /// <summary>Jobs that may wait in the queue (running jobs not counted).</summary>
    public int MaxQueuedJobs { get; set; } = 1000;

    /// <summary>Most rows one <c>Predict</c> call may send.</summary>
    public int MaxPredictRows { get; set; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting and how to fix it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataRoot))
        {
            throw Cluster.Hosting.ClusterOptions.Problem($"{Section}:{nameof(DataRoot)}", "is empty", "give the folder of the coordinator's data volume");
        }

        CheckPositive(nameof(MaxParameters), MaxParameters);
        CheckPositive(nameof(MaxUploadBytes), MaxUploadBytes);
        CheckPositive(nameof(MaxQueuedJobs), MaxQueuedJobs);
        CheckPositive(nameof(MaxPredictRows), MaxPredictRows);
        CheckPositive(nameof(AuthFailuresPerAddress), AuthFailuresPerAddress);
        CheckPositive(nameof(AuthFailuresLogged), AuthFailuresLogged);
        if (AuthFailureWindow <= TimeSpan.Zero)
        {
            throw Cluster.Hosting.ClusterOptions.Problem($"{Section}:{nameof(AuthFailureWindow)}", $"must be positive, got {AuthFailureWindow}", "e.g. 00:01:00");
        }
    }

    private static void CheckPositive(string name, long value)
    {
        if (value <= 0)
        {
            throw Cluster.Hosting.ClusterOptions.Problem($"{Section}:{name}", $"must be > 0, got {value}", "use a positive limit");
        }
    }
}
