using System.CommandLine;
using Backprop.Core;
using Backprop.Core.Model;
using Backprop.Core.Serialization;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop model JOB --out FILE</c>: downloads the model a job trained, as model JSON.</summary>
internal static class ModelCommand
{
    /// <summary>The verb with its flags; where the model went goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var remote = new RemoteFlags();
        var job = JobCommandArgs.Job();
        var outPath = new Option<string>("--out") { Description = "Write the model JSON here", Required = true };
        var command = new Command("model", "Download the model of a job that succeeded, as model JSON (what train --out writes).") { job, outPath };
        remote.AddTo(command);
        command.SetAction(parsed => TrainerConnection.Run(remote, parsed, async connection =>
        {
            var response = await connection.Client.GetModelAsync(new GetModelRequest { JobId = parsed.GetValue(job)! });
            var path = parsed.GetValue(outPath)!;
            OutputFile.Write(path, () => ModelJson.Save(ModelOf(response), path));
            output.WriteLine($"model written to {path}");
            return BackpropCli.Success;
        }));
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
