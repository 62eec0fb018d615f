using System.Text.Json;
using Backprop.Core.Metrics;
using Backprop.Core.Model;

namespace Backprop.Cli.Output;

/// <summary>
/// Writes the final metrics of <c>backprop train</c> as JSON (<c>--metrics-out</c>), with the class names of the model
/// when its labels were strings (else the class numbers, as strings).
/// </summary>
/// <remarks>
/// Classification: <c>{"evaluated_on", "dataset", "samples", "task": "classification", "accuracy", "macro_f1",
/// "classes": [{"class", "precision", "recall", "f1", "support", "predicted"}], "confusion_matrix": {"labels", "rows"}}</c>,
/// rows indexed by the true class and columns by the predicted one. Regression: <c>{..., "task": "regression", "rmse",
/// "mae", "r2"}</c>.
/// </remarks>
internal static class MetricsJson
{
    /// <summary>Writes <paramref name="metrics"/>, computed on the <paramref name="evaluatedOn"/> data, to <paramref name="destination"/>.</summary>
    public static void Write(ModelMetrics metrics, string evaluatedOn, ModelMetadata model, Stream destination)
    {
        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = true, NewLine = "\n" });
        json.WriteStartObject();
        json.WriteString("evaluated_on", evaluatedOn);
        json.WriteString("dataset", metrics.Dataset);
        if (metrics.Classification is { } classification)
        {
            json.WriteNumber("samples", classification.Samples);
            json.WriteString("task", "classification");
            WriteReal(json, "accuracy", classification.Accuracy);
            WriteReal(json, "macro_f1", classification.MacroF1);
            json.WriteStartArray("classes");
            foreach (var c in classification.Classes)
            {
                json.WriteStartObject();
                json.WriteString("class", model.ClassName(c.Class));
                WriteReal(json, "precision", c.Precision);
                WriteReal(json, "recall", c.Recall);
                WriteReal(json, "f1", c.F1);
                json.WriteNumber("support", c.Support);
                json.WriteNumber("predicted", c.Predicted);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("confusion_matrix");
            json.WriteStartArray("labels");
            for (var c = 0; c < classification.Classes.Count; c++)
            {
                json.WriteStringValue(model.ClassName(c));
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var row in classification.ConfusionMatrix)
            {
                json.WriteStartArray();
                foreach (var count in row)
                {
                    json.WriteNumberValue(count);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
        else if (metrics.Regression is { } regression)
        {
            json.WriteNumber("samples", regression.Samples);
            json.WriteString("task", "regression");
            WriteReal(json, "rmse", regression.Rmse);
            WriteReal(json, "mae", regression.Mae);
            WriteReal(json, "r2", regression.R2);
        }

        json.WriteEndObject();
    }

    /// <summary>A real number; null when it is not finite (a diverged network's outputs), which JSON cannot hold.</summary>
    private static void WriteReal(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
