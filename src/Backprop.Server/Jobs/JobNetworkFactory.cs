using Backprop.Core.Data;
using Backprop.Core.Model;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>The network a job starts from, once its training set is loaded.</summary>
public static class JobNetworkFactory
{
    /// <summary>
    /// The request's initial model as is, or a new network of its architecture, with the sizes left at 0 taken from
    /// <paramref name="train"/> and parameters from <see cref="ParameterInitializer.Initialize"/> with the job's seed.
    /// </summary>
    /// <param name="request">A request <see cref="JobRequestReader.Read"/> accepted.</param>
    /// <param name="train">The job's training set.</param>
    /// <param name="limits">The Trainer's limits (<see cref="TrainerOptions.MaxParameters"/>).</param>
    /// <exception cref="RequestRejectedException">
    /// <see cref="Rejection.InvalidArgument"/> when a size the request gives does not match the dataset;
    /// <see cref="Rejection.ResourceExhausted"/> on <c>spec</c> when the sizes from the dataset make the network too large.
    /// </exception>
    public static Network Create(JobRequest request, Dataset train, TrainerOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(limits);
        if (request.InitialModel is { } model)
        {
            EnsureMatches(model.Spec.InputSize, model.Spec.OutputSize, model.Spec.Layers.Count, train, "initial_model.spec");
            return model;
        }

        var architecture = request.Architecture!;
        EnsureMatches(architecture.InputSize, architecture.OutputSize, architecture.Layers.Count, train, "spec");
        var sizes = architecture.LayerSizes(train.InputSize, train.TargetSize);
        JobParameterLimit.Ensure(sizes, limits, "spec", lowerBound: false);
        return ParameterInitializer.Initialize(new NetworkSpec(sizes, architecture.Activations), request.Options.Seed);
    }

    /// <summary>Rejects an input or output size that is given (not 0) and differs from the dataset's.</summary>
    private static void EnsureMatches(int inputSize, int outputSize, int layers, Dataset train, string field)
    {
        if (inputSize != 0 && inputSize != train.InputSize)
        {
            throw new RequestRejectedException(
                Rejection.InvalidArgument, $"{field}.input_size", $"{inputSize} does not match the dataset's {train.InputSize} inputs");
        }

        if (outputSize != 0 && outputSize != train.TargetSize)
        {
            throw new RequestRejectedException(
                Rejection.InvalidArgument, $"{field}.layers[{layers - 1}].outputs", $"{outputSize} does not match the dataset's {train.TargetSize} targets");
        }
    }
}
