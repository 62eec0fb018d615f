using System.Globalization;
using System.Text.Json;
using Backprop.Core.Data;
using Backprop.Core.Model;

namespace Backprop.Core.Serialization;

/// <summary>Reads the optional keys of a model file (feature names, label names, standardization), checked against its network.</summary>
internal static class ModelJsonMetadataReader
{
    public static ModelMetadata Read(JsonElement root, NetworkSpec spec, JsonFieldReader json)
    {
        var features = Optional(root, ModelJsonKeys.Features, json) is { } featureArray
            ? Names(featureArray, ModelJsonKeys.Features, spec.InputSize, "inputs", json)
            : null;
        var labels = Optional(root, ModelJsonKeys.Labels, json) is { } labelArray
            ? Names(labelArray, ModelJsonKeys.Labels, spec.OutputSize, "outputs", json)
            : null;
        var standardization = Optional(root, ModelJsonKeys.Standardization, json) is { } element
            ? ReadStandardization(element, spec.InputSize, json)
            : null;
        return new ModelMetadata(features, labels, standardization);
    }

    private static JsonElement? Optional(JsonElement root, string key, JsonFieldReader json) =>
        root.TryGetProperty(key, out _) ? json.Property(root, "top level", key) : null;

    private static string[] Names(JsonElement array, string path, int count, string what, JsonFieldReader json)
    {
        var length = json.ArrayLength(array, path, $"an array of {count} names");
        if (length != count)
        {
            throw json.Fail(path, $"expected {count} names (one per {what[..^1]}: the network has {count} {what}), got {length}");
        }

        var names = new string[count];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            names[i] = json.String(item, $"{path}[{i}]");
            i++;
        }

        var repeated = names.GroupBy(name => name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        return repeated is null ? names : throw json.Fail(path, $"the name '{repeated.Key}' appears more than once");
    }

    private static Standardization ReadStandardization(JsonElement element, int inputs, JsonFieldReader json)
    {
        const string path = ModelJsonKeys.Standardization;
        json.RequireObject(element, path);
        var mean = new float[inputs];
        var scale = new float[inputs];
        json.Floats(json.Property(element, path, ModelJsonKeys.Mean), $"{path}.{ModelJsonKeys.Mean}", mean);
        json.Floats(json.Property(element, path, ModelJsonKeys.Scale), $"{path}.{ModelJsonKeys.Scale}", scale);
        for (var j = 0; j < inputs; j++)
        {
            if (scale[j] <= 0)
            {
                throw json.Fail($"{path}.{ModelJsonKeys.Scale}[{j}]", string.Create(CultureInfo.InvariantCulture, $"must be > 0, got {scale[j]}"));
            }
        }

        return new Standardization(mean, scale);
    }
}
