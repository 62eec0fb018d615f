using System.CommandLine;
using Backprop.Core.Serialization;

namespace Backprop.Cli.Export;

/// <summary><c>backprop export MODEL.json --onnx OUT.onnx</c>: converts a model file to an ONNX graph (<see cref="OnnxExport"/>).</summary>
internal static class ExportCommand
{
    /// <summary>The verb with its flags; where the file went goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("MODEL") { Description = "The model JSON to convert (what train --out and model --out write)" };
        var onnx = new Option<string>("--onnx") { Description = $"Write the model here as ONNX (opset {OnnxExport.Opset}, standardization and class names included)", Required = true };
        var command = new Command("export", "Convert a model JSON file to another format that other runtimes load (ONNX).") { model, onnx };
        command.SetAction(parsed =>
        {
            var modelPath = parsed.GetValue(model)!;
            var path = parsed.GetValue(onnx)!;
            OnnxExport.Save(ModelJson.Load(modelPath), modelPath, path);
            output.WriteLine($"ONNX model written to {path}");
            return BackpropCli.Success;
        });
        return command;
    }
}
