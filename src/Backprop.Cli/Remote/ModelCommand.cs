using System.CommandLine;
using Backprop.Cli.Export;
using Backprop.Core;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary>
/// <c>backprop model JOB --out FILE [--format json|onnx]</c>: downloads the model a job trained, as model JSON or
/// converted here to ONNX (<see cref="OnnxExport"/>).
/// </summary>
internal static class ModelCommand
{
    /// <summary>The verb with its flags; where the model went goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var remote = new RemoteFlags();
        var job = JobCommandArgs.Job();
        var outPath = new Option<string>("--out") { Description = "Write the model here", Required = true };
        var format = new Option<string>("--format")
        {
            Description = $"{ModelFileFormats.AcceptedNames}: model JSON (what train --out writes) or ONNX (what export --onnx writes)",
            DefaultValueFactory = _ => ModelFileFormats.Name(ModelFileFormat.Json),
        };
        var command = new Command("model", "Download the model of a job that succeeded, as model JSON or ONNX.") { job, outPath, format };
        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var fileFormat = ModelFileFormats.Parse(parsed.GetValue(format)!, format.Name);
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                var jobId = parsed.GetValue(job)!;
                var response = await connection.Client.GetModelAsync(new GetModelRequest { JobId = jobId });
                var path = parsed.GetValue(outPath)!;
                var model = ModelOf(response);
                if (fileFormat == ModelFileFormat.Onnx)
                {
                    OnnxExport.Save(model, $"job {jobId}", path);
                }
                else
                {
                    OutputFile.Write(path, () => ModelJson.Save(model, path));
                }

                output.WriteLine($"model written to {path}");
                return BackpropCli.Success;
            });
        });
        return command;
    }

    private static TrainedModel ModelOf(GetModelResponse response)
    {
        try
        {
            return ModelMetadataConverter.TrainedModelFrom(response.Model, "model");
        }
        catch (Exception error) when (error is InvalidInputException or InvalidDataException)
        {
            throw new RemoteCallException($"server error: the server sent a bad model: {error.Message}", error);
        }
    }
}
