using System.CommandLine;
using System.Globalization;
using Backprop.Cli.Predict;
using Backprop.Core;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using TrainerClient = Backprop.Protocol.V1.Trainer.TrainerClient;

namespace Backprop.Cli.Remote;

/// <summary>
/// <c>backprop predict JOB --data FILE</c>: runs a job's model on rows of inputs on the server; with
/// <c>--model MODEL.json</c> instead of a job, runs a model file here (<see cref="ModelPrediction"/>).
/// </summary>
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
        var job = new Argument<string?>("JOB") { Description = "The job id that submit printed (or give --model)", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string?>("--model") { Description = "Run this model JSON in this process instead of a job's model on the server" };
        var data = new Option<string>("--data")
        {
            Description = "CSV or Parquet file of inputs, one row per sample (with a header, the model's feature columns are picked by name); or a built-in dataset (mnist, xor, spirals): its test samples, with the accuracy when --out is given",
            Required = true,
        };
        var header = new Option<bool?>("--header") { Description = "CSV: whether the first row is a header (default: detected)" };
        var outPath = new Option<string?>("--out") { Description = "Write the predictions CSV here (default: standard output)" };
        var command = new Command("predict", "Run a job's model, or a model file, on rows of inputs; prints class,output0,output1,... per row.") { job, model, data, header, outPath };
        remote.AddTo(command);
        command.SetAction(parsed =>
        {
            var jobId = parsed.GetValue(job);
            var modelPath = parsed.GetValue(model);
            if ((jobId is null) == (modelPath is null))
            {
                throw new InvalidInputException("predict: give either a JOB on the server or --model MODEL.json, not both");
            }

            if (modelPath is not null)
            {
                return ModelPrediction.Run(modelPath, parsed.GetValue(data)!, parsed.GetValue(header), parsed.GetValue(outPath), output);
            }

            var inputs = InputRows.Load(parsed.GetValue(data)!, parsed.GetValue(header), featureNames: null, inputSize: null);
            var path = parsed.GetValue(outPath);
            using var file = path is null ? null : OutputFile.Create(path);
            return TrainerConnection.Run(remote, parsed, async connection =>
            {
                var correct = await PredictAsync(connection.Client, jobId!, inputs, file ?? output);
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
