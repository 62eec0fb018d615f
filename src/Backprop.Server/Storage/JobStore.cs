using Backprop.Protocol.V1;
using Google.Protobuf;

namespace Backprop.Server.Storage;

/// <summary>
/// The jobs a coordinator has accepted, kept on its data volume so that they survive a restart: one folder per job,
/// <c>jobs/&lt;job_id&gt;/job.pb</c> with the <see cref="JobRecord"/> and, once trained, <c>model.pb</c> with the
/// <see cref="Model"/>. Every write is atomic (<see cref="AtomicFile"/>).
/// </summary>
public sealed class JobStore
{
    /// <summary>File name of a job's record in its folder.</summary>
    public const string RecordFileName = "job.pb";

    /// <summary>File name of a job's trained model in its folder.</summary>
    public const string ModelFileName = "model.pb";

    /// <summary>The file of a job's last checkpoint, in its folder.</summary>
    public const string CheckpointFileName = "checkpoint.pb";

    /// <summary>Longest job id accepted.</summary>
    public const int MaxJobIdLength = 64;

    private readonly DataRoot _root;
    private readonly Action<string>? _onCorrupt;

    /// <summary>Keeps the jobs under <paramref name="root"/>'s <c>jobs/</c> folder.</summary>
    /// <param name="root">The data volume.</param>
    /// <param name="onCorrupt">Told, with a message naming the file, of each stored record that <see cref="LoadAll"/> skips.</param>
    public JobStore(DataRoot root, Action<string>? onCorrupt = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _onCorrupt = onCorrupt;
    }

    /// <summary>Stores <paramref name="record"/> as <c>jobs/&lt;job_id&gt;/job.pb</c>, replacing the one before.</summary>
    /// <exception cref="ArgumentException">The record's job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    public void Save(JobRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        AtomicFile.Write(Path.Combine(CreateJobFolder(record.JobId), RecordFileName), record);
    }

    /// <summary>
    /// Every stored record, ordered by <c>status.submitted_unix_ms</c>, then job id. A record that cannot be read,
    /// or whose job id is not its folder's name, is skipped and reported to the <c>onCorrupt</c> callback.
    /// </summary>
    public IReadOnlyList<JobRecord> LoadAll()
    {
        if (!Directory.Exists(_root.JobsFolder))
        {
            return [];
        }

        var records = new List<JobRecord>();
        foreach (var folder in Directory.EnumerateDirectories(_root.JobsFolder))
        {
            var file = Path.Combine(folder, RecordFileName);
            try
            {
                // A folder without a record is a job whose first write did not finish: it was never accepted.
                if (AtomicFile.Read(file, JobRecord.Parser) is not { } record)
                {
                    continue;
                }

                if (record.JobId != Path.GetFileName(folder))
                {
                    _onCorrupt?.Invoke($"{file}: holds job '{record.JobId}', not the job of its folder; skipped");
                    continue;
                }

                records.Add(record);
            }
            catch (Exception error) when (error is InvalidProtocolBufferException or IOException or UnauthorizedAccessException)
            {
                _onCorrupt?.Invoke($"{file}: cannot be read ({error.Message}); skipped");
            }
        }

        return [.. records.OrderBy(r => r.Status?.SubmittedUnixMs ?? 0).ThenBy(r => r.JobId, StringComparer.Ordinal)];
    }

    /// <summary>Stores the trained <paramref name="model"/> of job <paramref name="jobId"/> as <c>jobs/&lt;job_id&gt;/model.pb</c>.</summary>
    /// <exception cref="ArgumentException">The job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    public void SaveModel(string jobId, Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(Path.Combine(CreateJobFolder(jobId), ModelFileName), model);
    }

    /// <summary>The stored model of job <paramref name="jobId"/>; null when it has none.</summary>
    /// <exception cref="ArgumentException">The job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    /// <exception cref="InvalidProtocolBufferException">The stored model is damaged.</exception>
    public Model? LoadModel(string jobId) => AtomicFile.Read(Path.Combine(JobFolder(jobId), ModelFileName), Model.Parser);

    /// <summary>Replaces the last checkpoint of job <paramref name="checkpoint"/>.JobId (<c>jobs/&lt;job_id&gt;/checkpoint.pb</c>), atomically.</summary>
    /// <exception cref="ArgumentException">The job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    public void SaveCheckpoint(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        AtomicFile.Write(Path.Combine(CreateJobFolder(checkpoint.JobId), CheckpointFileName), checkpoint);
    }

    /// <summary>The last checkpoint of job <paramref name="jobId"/>; null when it has none.</summary>
    /// <exception cref="ArgumentException">The job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    /// <exception cref="InvalidProtocolBufferException">The stored checkpoint is damaged.</exception>
    public Checkpoint? LoadCheckpoint(string jobId) => AtomicFile.Read(Path.Combine(JobFolder(jobId), CheckpointFileName), Checkpoint.Parser);

    /// <summary>Removes the checkpoint of job <paramref name="jobId"/> (once its model is stored, it is not needed).</summary>
    /// <exception cref="ArgumentException">The job id is not 1 to 64 of <c>A-Z a-z 0-9 _ -</c>.</exception>
    public void DeleteCheckpoint(string jobId) => File.Delete(Path.Combine(JobFolder(jobId), CheckpointFileName));

    /// <summary>Whether <paramref name="jobId"/> can name a folder: 1 to 64 of <c>A-Z a-z 0-9 _ -</c>, so never <c>..</c> or a path.</summary>
    public static bool IsValidJobId(string? jobId) =>
        jobId is { Length: > 0 and <= MaxJobIdLength } && jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private string JobFolder(string jobId)
    {
        if (!IsValidJobId(jobId))
        {
            throw new ArgumentException(
                $"job id '{jobId}' cannot name a folder: it must be 1 to {MaxJobIdLength} of A-Z a-z 0-9 _ -", nameof(jobId));
        }

        return Path.Combine(_root.JobsFolder, jobId);
    }

    private string CreateJobFolder(string jobId)
    {
        var folder = JobFolder(jobId);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
