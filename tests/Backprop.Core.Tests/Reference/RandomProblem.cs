using Backprop.Core.Losses;
using Backprop.Core.Model;

namespace Backprop.Core.Tests.Reference;

/// <summary>How targets are drawn for a <see cref="RandomProblem"/>.</summary>
internal enum TargetKind
{
    /// <summary>MSE: uniform in [0, 1); cross-entropy: one-hot; binary cross-entropy: 0 or 1.</summary>
    Hard,

    /// <summary>Cross-entropy: a random probability vector (sums to 1); binary cross-entropy: uniform in [0, 1).</summary>
    Soft,
}

/// <summary>
/// A seeded random network, parameters and batch, in float32 (what the code under test sees) and
/// the same values widened to float64 (what the reference sees).
/// </summary>
internal sealed class RandomProblem
{
    /// <summary>ReLU layers are redrawn until every |z| is at least this far from the kink at 0,
    /// so that neither float32-vs-float64 rounding (~1e-6) nor a finite-difference step (~1e-6) can cross it.</summary>
    public const double DefaultReluKinkMargin = 0.05;

    private const int MaxDraws = 10_000;

    private RandomProblem(NetworkSpec spec, LossKind loss, int rows, float[] parameters, float[] inputs, float[] targets)
    {
        Spec = spec;
        Loss = loss;
        Rows = rows;
        Parameters = parameters;
        Inputs = inputs;
        Targets = targets;
        Reference = ReferenceNetwork.For(spec);
    }

    public NetworkSpec Spec { get; }

    public LossKind Loss { get; }

    public int Rows { get; }

    public float[] Parameters { get; }

    public float[] Inputs { get; }

    public float[] Targets { get; }

    public ReferenceNetwork Reference { get; }

    public double[] ParametersF64 => Widen(Parameters);

    public double[] InputsF64 => Widen(Inputs);

    public double[] TargetsF64 => Widen(Targets);

    /// <summary>
    /// Draws weights in [−<paramref name="weightScale"/>, <paramref name="weightScale"/>), biases in [−0.5, 0.5), inputs in [−1, 1) and targets per
    /// <paramref name="targetKind"/>, redrawing while any ReLU pre-activation is within
    /// <paramref name="reluKinkMargin"/> of 0.
    /// </summary>
    public static RandomProblem Create(
        IReadOnlyList<int> layerSizes,
        Activation hidden,
        Activation output,
        LossKind loss,
        int rows,
        int seed,
        TargetKind targetKind = TargetKind.Hard,
        double reluKinkMargin = DefaultReluKinkMargin,
        double weightScale = 1)
    {
        var hiddenSizes = layerSizes.Skip(1).Take(layerSizes.Count - 2).ToArray();
        var spec = NetworkSpec.Create(layerSizes[0], hiddenSizes, layerSizes[^1], hidden, output);
        var reference = ReferenceNetwork.For(spec);
        var random = new Random(seed);
        for (var draw = 0; draw < MaxDraws; draw++)
        {
            var parameters = new float[spec.ParameterCount];
            for (var l = 0; l < reference.LayerCount; l++)
            {
                for (var j = 0; j < reference.Outputs(l); j++)
                {
                    for (var i = 0; i < reference.Inputs(l); i++)
                    {
                        parameters[reference.WeightIndex(l, j, i)] = Uniform(random, -weightScale, weightScale);
                    }

                    parameters[reference.BiasIndex(l, j)] = Uniform(random, -0.5, 0.5);
                }
            }

            var inputs = new float[rows * spec.InputSize];
            for (var k = 0; k < inputs.Length; k++)
            {
                inputs[k] = Uniform(random, -1, 1);
            }

            var targets = DrawTargets(random, loss, targetKind, rows, spec.OutputSize);
            var problem = new RandomProblem(spec, loss, rows, parameters, inputs, targets);
            if (problem.KeepsClearOfReluKinks(reluKinkMargin))
            {
                return problem;
            }
        }

        throw new InvalidOperationException($"no draw of {spec} kept clear of the ReLU kink in {MaxDraws} tries");
    }

    /// <summary>The reference forward pass of row <paramref name="row"/>.</summary>
    public SamplePass ReferencePass(int row) =>
        Reference.Forward(ParametersF64, ReferenceNetwork.Row(InputsF64, row, Spec.InputSize));

    /// <summary>Reference A of <paramref name="layer"/> for the whole batch, row-major [rows × outputs].</summary>
    public double[] ReferenceActivations(int layer) =>
        Enumerable.Range(0, Rows).SelectMany(r => ReferencePass(r).A[layer]).ToArray();

    /// <summary>Reference Δ of <paramref name="layer"/> for the whole batch, row-major [rows × outputs].</summary>
    public double[] ReferenceDeltas(int layer)
    {
        var theta = ParametersF64;
        var targets = TargetsF64;
        return Enumerable.Range(0, Rows)
            .SelectMany(r => Reference.Deltas(theta, Loss, ReferencePass(r), ReferenceNetwork.Row(targets, r, Spec.OutputSize))[layer])
            .ToArray();
    }

    /// <summary>Reference Σ_rows ∂L/∂θ (analytic, float64) and Σ_rows L.</summary>
    public (double[] GradientSums, double LossSum) ReferenceGradientSums()
    {
        var sums = new double[Spec.ParameterCount];
        var loss = Reference.GradientSums(ParametersF64, Loss, InputsF64, TargetsF64, Rows, sums);
        return (sums, loss);
    }

    /// <summary>Σ_rows |∂L/∂θ| term by term: the scale of each gradient sum before any cancellation.</summary>
    public double[] ReferenceGradientMagnitudes()
    {
        var magnitudes = new double[Spec.ParameterCount];
        Reference.GradientSums(ParametersF64, Loss, InputsF64, TargetsF64, Rows, new double[Spec.ParameterCount], magnitudes);
        return magnitudes;
    }

    /// <summary>Central differences of the reference loss sum for every parameter, in float64.</summary>
    public double[] NumericGradientSums(double step)
    {
        var theta = ParametersF64;
        var inputs = InputsF64;
        var targets = TargetsF64;
        var numeric = new double[theta.Length];
        for (var p = 0; p < theta.Length; p++)
        {
            numeric[p] = Reference.NumericGradient(theta, p, Loss, inputs, targets, Rows, step);
        }

        return numeric;
    }

    public static double[] Widen(ReadOnlySpan<float> values)
    {
        var wide = new double[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            wide[k] = values[k];
        }

        return wide;
    }

    private bool KeepsClearOfReluKinks(double margin)
    {
        for (var r = 0; r < Rows; r++)
        {
            var pass = ReferencePass(r);
            for (var l = 0; l < Reference.LayerCount; l++)
            {
                if (Reference.ActivationOf(l) == Activation.Relu && pass.Z[l].Any(z => Math.Abs(z) < margin))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static float[] DrawTargets(Random random, LossKind loss, TargetKind kind, int rows, int outputs)
    {
        var targets = new float[rows * outputs];
        for (var r = 0; r < rows; r++)
        {
            var row = targets.AsSpan(r * outputs, outputs);
            switch (loss, kind)
            {
                case (LossKind.CrossEntropy, TargetKind.Hard):
                    row[random.Next(outputs)] = 1;
                    break;
                case (LossKind.CrossEntropy, TargetKind.Soft):
                    var total = 0f;
                    for (var j = 0; j < outputs; j++)
                    {
                        row[j] = Uniform(random, 0.1, 1);
                        total += row[j];
                    }

                    for (var j = 0; j < outputs; j++)
                    {
                        row[j] /= total;
                    }

                    break;
                case (LossKind.BinaryCrossEntropy, TargetKind.Hard):
                    for (var j = 0; j < outputs; j++)
                    {
                        row[j] = random.Next(2);
                    }

                    break;
                default:
                    for (var j = 0; j < outputs; j++)
                    {
                        row[j] = Uniform(random, 0, 1);
                    }

                    break;
            }
        }

        return targets;
    }

    private static float Uniform(Random random, double low, double high) =>
        (float)(low + ((high - low) * random.NextDouble()));
}
