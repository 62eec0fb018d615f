using System.CommandLine;
using System.Globalization;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using TrainerClient = Backprop.Protocol.V1.Trainer.TrainerClient;

namespace Backprop.Cli.Remote;

/// <summary><c>backprop predict JOB --data FILE</c>: runs a job's model on rows of inputs.</summary>
internal static class PredictCommand
{
    /// <summary>Most rows one Predict call carries.</summary>
    public const int MaxRowsPerCall = 10_000;

    /// <summary>
    /// Most input bytes one call carries: below gRPC's default 4 MB message limit, which a server keeps
    /// unless configured otherwise (10,000 MNIST rows would be 31 MB).
    /// </summary>
    public const int MaxInputBytesPerCall = 3 * 1024 * 1024;

    /// <summary>The verb with its flags; predictions go to <c>--out</c> or <paramref name="output"/>.</summary>
    public static Command Create(TextWriter output)
    {
        var remote = new RemoteFlags();
        var job = JobCommandArgs.Job();
        var data = new Option<string>("--data")
        {
            Description = "CSV file of inputs, one row per sample (a header row is skipped); or a built-in dataset (mnist, xor, spirals): its test samples, with the accuracy when --out is given",
            Required = true,
        };
        var outPath = new Option<string?>("--out") { Description = "Write the predictions CSV here (default: standard output)" };
        var command = new Command("predict", "Run a job's model on rows of inputs; prints class,output0,output1,... per row.") { job, data, outPath };
        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var inputs = InputRows.Load(parsed.GetValue(data)!);
            var path = parsed.GetValue(outPath);
            using var file = path is null ? null : OutputFile.Create(path);
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                var correct = await PredictAsync(connection.Client, parsed.GetValue(job)!, inputs, file ?? output);
                if (file is not null)
                {
                    output.WriteLine($"predictions written to {path}");
                    if (inputs.Labels is not null)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {100.0 * correct / inputs.Count:F2}% ({correct} of {inputs.Count} samples)"));
                    }
                }

                return BackpropCli.Success;
            });
        });
        return command;
    }

    /// <summary>Rows of <paramref name="columns"/> values that one call may carry.</summary>
    public static int RowsPerCall(int columns) => Math.Clamp(MaxInputBytesPerCall / (columns * sizeof(float)), 1, MaxRowsPerCall);

    /// <summary>Predicts every row, writing the CSV lines; returns how many predicted classes equal the labels (0 without labels).</summary>
    private static async Task<int> PredictAsync(TrainerClient client, string jobId, InputRows inputs, TextWriter output)
    {
        var correct = 0;
        var batch = RowsPerCall(inputs.Columns);
        for (var first = 0; first < inputs.Count; first += batch)
        {
            var rows = Math.Min(batch, inputs.Count - first);
            var request = new PredictRequest
            {
                JobId = jobId,
                Rows = rows,
                Inputs = TensorBytes.From(inputs.Values.AsSpan(first * inputs.Columns, rows * inputs.Columns)),
            };
            var response = await client.PredictAsync(request);
            PredictionCsv.Write(response, rows, output);
            for (var row = 0; inputs.Labels is { } labels && row < rows; row++)
            {
                correct += response.Classes[row] == labels[first + row] ? 1 : 0;
            }
        }

        return correct;
    }
}
