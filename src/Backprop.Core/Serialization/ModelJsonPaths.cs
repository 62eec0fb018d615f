using Backprop.Core.Model;

namespace Backprop.Core.Serialization;

/// <summary>The JSON paths (e.g. <c>layers[1].weights[3][7]</c>) that error messages use to point into a model file.</summary>
internal static class ModelJsonPaths
{
    public static string Layer(int layer) => $"{ModelJsonKeys.Layers}[{layer}]";

    public static string Key(int layer, string key) => $"{Layer(layer)}.{key}";

    /// <summary>Where the parameter at <paramref name="index"/> of the flat buffer lives in the file.</summary>
    public static string OfParameter(NetworkSpec spec, int index)
    {
        for (var l = 0; l < spec.Layers.Count; l++)
        {
            var layer = spec.Layers[l];
            if (index < layer.BiasOffset)
            {
                var offset = index - layer.WeightOffset;
                return $"{Key(l, ModelJsonKeys.Weights)}[{offset / layer.Inputs}][{offset % layer.Inputs}]";
            }

            if (index < layer.BiasOffset + layer.Outputs)
            {
                return $"{Key(l, ModelJsonKeys.Biases)}[{index - layer.BiasOffset}]";
            }
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, $"beyond the {spec.ParameterCount} parameters of {spec}");
    }
}
