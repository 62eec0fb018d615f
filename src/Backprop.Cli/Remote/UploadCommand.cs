using System.CommandLine;
using System.Globalization;
using Backprop.Cli.Train;
using Grpc.Core;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop upload PATH</c>: sends a CSV or Parquet file or an IDX directory to the server for later jobs (<c>submit --dataset ID</c>).</summary>
internal static class UploadCommand
{
    /// <summary>The verb with its flags; the dataset id goes to <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var remote = new RemoteFlags();
        var path = new Argument<string>("PATH") { Description = "A CSV or Parquet file or a directory of IDX files" };
        var name = new Option<string?>("--name") { Description = "The dataset's name (default: the file or directory name)" };
        var table = new TableFlags();
        var command = new Command("upload", "Upload a dataset to the server; prints the id that submit --dataset takes.") { path, name };
        foreach (var flag in table.All)
        {
            command.Options.Add(flag);
        }

        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var upload = DatasetUpload.Of(parsed.GetValue(path)!, parsed.GetValue(name), table.Options(parsed));
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                using var call = connection.Client.UploadDataset();
                try
                {
                    foreach (var message in upload.Messages())
                    {
                        await call.RequestStream.WriteAsync(message);
                    }

                    await call.RequestStream.CompleteAsync();
                }
                catch (Exception error) when (error is RpcException or InvalidOperationException)
                {
                    // The server ended the call before reading everything; its status, awaited below, says why.
                }

                var response = await call;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dataset {response.DatasetId} uploaded ({response.SizeBytes} bytes)"));
                return BackpropCli.Success;
            });
        });
        return command;
    }
}
