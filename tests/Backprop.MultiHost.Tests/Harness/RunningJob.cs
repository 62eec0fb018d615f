namespace Backprop.MultiHost.Tests.Harness;

/// <summary>A job submitted to the cluster and followed step by step, with the model file of its undisturbed run.</summary>
/// <param name="Job">Its flags.</param>
/// <param name="Id">The id the coordinator gave it.</param>
/// <param name="Watch">The client following it (<c>submit --watch</c>); it ends with the job.</param>
/// <param name="ReferenceModel">The model <c>backprop train</c> wrote for the same flags in one process.</param>
internal sealed record RunningJob(TrainingJob Job, string Id, HostProcess Watch, string ReferenceModel);
