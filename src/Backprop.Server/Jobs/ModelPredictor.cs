using Backprop.Core.Model;
using Backprop.Core.Training;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>
/// Batch inference for <c>Predict</c>: the model's standardization, if it has one, then a forward pass of its network
/// over the request's rows; the classes named when the model has label names.
/// </summary>
internal static class ModelPredictor
{
    /// <summary>The outputs and arg-max classes of <paramref name="model"/> for <paramref name="request"/>'s rows.</summary>
    public static PredictResponse Predict(TrainedModel model, PredictRequest request, int maxRows)
    {
        var (network, metadata) = model;
        var spec = network.Spec;
        if (request.Rows <= 0)
        {
            throw new RequestRejectedException(Rejection.InvalidArgument, "rows", $"must be > 0, got {request.Rows}");
        }

        if (request.Rows > maxRows)
        {
            throw new RequestRejectedException(Rejection.ResourceExhausted, "rows", $"{request.Rows} rows in one call, the limit is {maxRows} (setting Trainer:MaxPredictRows); send them in several calls");
        }

        var expectedBytes = (long)request.Rows * spec.InputSize * sizeof(float);
        if (request.Inputs.Length != expectedBytes)
        {
            throw new RequestRejectedException(
                Rejection.InvalidArgument,
                "inputs",
                $"{request.Inputs.Length} bytes, expected {request.Rows} rows × {spec.InputSize} inputs × 4 bytes = {expectedBytes} (little-endian float32, row-major)");
        }

        var outputs = new float[request.Rows * spec.OutputSize];
        var classes = new int[request.Rows];
        var inputs = TensorBytes.ToArray(request.Inputs, "inputs");
        metadata.Prepare(inputs);
        Evaluator.Predict(network, inputs, request.Rows, outputs, classes);
        var response = new PredictResponse { Outputs = TensorBytes.From(outputs) };
        response.Classes.Add(classes);
        if (metadata.LabelNames is not null)
        {
            response.Labels.Add(classes.Select(metadata.ClassName));
        }

        return response;
    }
}
