// Stand-in for `backprop submit` (src/Backprop.Cli) until the CLI has that verb: submits a small job to the Trainer
// service, watches it to the end, and exits 0 only when it SUCCEEDED. Same arguments as the CLI:
//   dotnet run deploy/smoke/submit.cs -- submit --server http://127.0.0.1:PORT --data xor --epochs 5 --watch
#:project ../../src/Backprop.Protocol/Backprop.Protocol.csproj
#:package Grpc.Net.Client
#:property PublishAot=false

using Backprop.Protocol.V1;
using Grpc.Core;
using Grpc.Net.Client;

var server = Argument("--server") ?? "http://127.0.0.1:5000";
var data = Argument("--data") ?? "xor";
var epochs = int.Parse(Argument("--epochs") ?? "5", System.Globalization.CultureInfo.InvariantCulture);

using var channel = GrpcChannel.ForAddress(server);
var client = new Trainer.TrainerClient(channel);
var request = new SubmitJobRequest
{
    Name = "compose-smoke",
    Spec = new NetworkSpec
    {
        Layers =
        {
            new LayerSpec { Outputs = 8, Activation = Activation.Tanh },
            new LayerSpec { Outputs = 0, Activation = Activation.Softmax },
        },
    },
    Dataset = new DatasetReference { BuiltIn = data },
    Training = new TrainingSettings
    {
        Loss = Loss.CrossEntropy,
        Optimizer = new OptimizerSettings { Kind = OptimizerKind.Sgd, LearningRate = 0.1f },
        Schedule = ScheduleKind.Constant,
        BatchSize = 4,
        Epochs = epochs,
        Seed = 1,
    },
};

try
{
    var jobId = (await client.SubmitJobAsync(request, deadline: DateTime.UtcNow.AddSeconds(30))).JobId;
    Console.WriteLine($"submitted {jobId}");
    JobStatus? last = null;
    using var watch = client.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddMinutes(5));
    await foreach (var update in watch.ResponseStream.ReadAllAsync())
    {
        last = update.Job;
        Console.WriteLine($"{last.JobId}: {last.State} step {last.Step}/{last.TotalSteps} epoch {last.Epoch} loss {last.TrainLoss:G4} workers {last.ActiveWorkers}");
    }

    Console.WriteLine($"{jobId}: {last?.State} {last?.Reason}");
    return last?.State == JobState.Succeeded ? 0 : 1;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"submit: {e.Status.StatusCode}: {e.Status.Detail}");
    return 1;
}

string? Argument(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
