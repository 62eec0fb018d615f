using Backprop.Core.Model;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>The <see cref="TrainerOptions.MaxParameters"/> check of a job's network.</summary>
internal static class JobParameterLimit
{
    /// <summary>
    /// Throws <see cref="RequestRejectedException"/> (<see cref="Rejection.ResourceExhausted"/>, on <paramref name="field"/>)
    /// when a network of neuron counts <paramref name="layerSizes"/> (input first) has more parameters than
    /// <paramref name="limits"/> allow, or than one <see cref="NetworkSpec"/> can hold.
    /// </summary>
    /// <param name="layerSizes">Neuron counts, each ≥ 1.</param>
    /// <param name="limits">The Trainer's limits.</param>
    /// <param name="field">The request field the network came from.</param>
    /// <param name="lowerBound">Some sizes are not known yet and were counted as 1, so the count is a lower bound.</param>
    public static void Ensure(IReadOnlyList<int> layerSizes, TrainerOptions limits, string field, bool lowerBound)
    {
        var count = Count(layerSizes);
        var limit = Math.Min(limits.MaxParameters, NetworkSpec.MaxParameters);
        if (count <= limit)
        {
            return;
        }

        var what = lowerBound ? $"at least {count} parameters (counting the sizes taken from the dataset as 1)" : $"{count} parameters";
        var setting = limit == limits.MaxParameters
            ? $"the limit of {limit} ({TrainerOptions.Section}:{nameof(TrainerOptions.MaxParameters)}); use smaller layers or raise the setting"
            : $"the {limit} one network can hold; use smaller layers";
        throw new RequestRejectedException(Rejection.ResourceExhausted, field, $"the network has {what}, more than {setting}");
    }

    /// <summary>Weights and biases of a fully-connected network, saturating at <see cref="long.MaxValue"/>.</summary>
    private static long Count(IReadOnlyList<int> layerSizes)
    {
        long total = 0;
        for (var l = 1; l < layerSizes.Count; l++)
        {
            var layer = ((long)layerSizes[l - 1] * layerSizes[l]) + layerSizes[l];
            total = total > long.MaxValue - layer ? long.MaxValue : total + layer;
        }

        return total;
    }
}
