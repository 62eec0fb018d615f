using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Core.Training;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Jobs;

/// <summary>A training job as the coordinator node holds it.</summary>
/// <param name="JobId">Unique id; names the job's coordinator actor.</param>
/// <param name="Network">Initial network; the coordinator trains a copy of it.</param>
/// <param name="Data">Training samples (sharded to workers) and optional test samples (evaluated on the coordinator).</param>
/// <param name="Options">Everything else about the run; <see cref="TrainingOptions.Threads"/> is ignored (workers use their own cores).</param>
/// <param name="Source">Where workers may load the training samples themselves; null: always ship them.</param>
/// <param name="ResumeFrom">A checkpoint of an earlier run of this job to continue from; null: start at the first step.</param>
public sealed record TrainingJob(string JobId, Network Network, DatasetSplit Data, TrainingOptions Options, DatasetSource? Source, JobCheckpoint? ResumeFrom = null);
