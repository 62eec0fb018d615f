using Backprop.Core.Model;
using Backprop.Core.Training;
using DatasetReference = Backprop.Protocol.V1.DatasetReference;

namespace Backprop.Server.Jobs;

/// <summary>
/// What a valid <c>SubmitJob</c> request says, before its dataset is loaded: the network to start from (exactly
/// one of <see cref="InitialModel"/> and <see cref="Architecture"/>), the training options and the dataset.
/// Made by <see cref="JobRequestReader"/>; <see cref="JobNetworkFactory"/> turns it into a network once the
/// dataset's sizes are known.
/// </summary>
public sealed record JobRequest
{
    /// <summary>Wraps the parts of a request that <see cref="JobRequestReader"/> has validated.</summary>
    /// <exception cref="ArgumentException">Both or neither of <paramref name="initialModel"/> and <paramref name="architecture"/> are given.</exception>
    public JobRequest(string name, Network? initialModel, JobArchitecture? architecture, TrainingOptions options, DatasetReference dataset)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataset);
        if ((initialModel is null) == (architecture is null))
        {
            throw new ArgumentException("give exactly one of an initial model and an architecture", nameof(architecture));
        }

        Name = name;
        InitialModel = initialModel;
        Architecture = architecture;
        Options = options;
        Dataset = dataset;
    }

    /// <summary>The job's display name (may be empty).</summary>
    public string Name { get; }

    /// <summary>Weights to train on from, or null when <see cref="Architecture"/> describes a new network.</summary>
    public Network? InitialModel { get; }

    /// <summary>A new network to initialize from <see cref="TrainingOptions.Seed"/>, or null when <see cref="InitialModel"/> is given.</summary>
    public JobArchitecture? Architecture { get; }

    /// <summary>Loss, optimizer, schedule and the rest, defaults filled in; <see cref="TrainingOptions.Threads"/> is 1.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The dataset as the request names it (its source is set and well-formed; whether it exists is checked elsewhere).</summary>
    public DatasetReference Dataset { get; }

    /// <summary>The output layer's activation, known before the dataset.</summary>
    public Activation OutputActivation => InitialModel?.Spec.OutputActivation ?? Architecture!.OutputActivation;
}
