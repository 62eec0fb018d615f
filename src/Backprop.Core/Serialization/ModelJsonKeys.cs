namespace Backprop.Core.Serialization;

/// <summary>The property names of the model JSON format, shared by the reader and the writer.</summary>
internal static class ModelJsonKeys
{
    public const string Format = "format";
    public const string Layers = "layers";
    public const string Inputs = "inputs";
    public const string Outputs = "outputs";
    public const string Activation = "activation";
    public const string Weights = "weights";
    public const string Biases = "biases";
    public const string Features = "features";
    public const string Labels = "labels";
    public const string Standardization = "standardization";
    public const string Mean = "mean";
    public const string Scale = "scale";
}
