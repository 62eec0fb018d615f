using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Backprop.Cli.Tests.Export;

/// <summary>Runs an exported ONNX file with ONNX Runtime and holds it against what <c>backprop predict --model</c> prints.</summary>
internal static class OnnxAgreement
{
    /// <summary>Relative tolerance between ONNX Runtime and the project's kernels (different summation orders and exp).</summary>
    private const double RelativeTolerance = 1e-5;

    /// <summary>
    /// Absolute floor for values near 0 (a ReLU output or a regression target that sums to almost nothing): the
    /// rounding of sums of O(1) terms is ~1e-7 in float32, whatever the size of the result.
    /// </summary>
    private const double AbsoluteTolerance = 1e-6;

    /// <summary>The outputs of the ONNX file at <paramref name="onnxPath"/> for <paramref name="rows"/> (each of <paramref name="columns"/> raw values).</summary>
    public static float[] Run(string onnxPath, float[] rows, int columns)
    {
        using var session = new InferenceSession(onnxPath);
        var input = new DenseTensor<float>(rows, [rows.Length / columns, columns]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        return results.Single(result => result.Name == "output").AsEnumerable<float>().ToArray();
    }

    /// <summary><paramref name="count"/> rows of <paramref name="columns"/> values from <paramref name="value"/>(row, column).</summary>
    public static float[] Rows(int count, int columns, Func<int, int, float> value)
    {
        var rows = new float[count * columns];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = value(i / columns, i % columns);
        }

        return rows;
    }

    /// <summary>Writes <paramref name="rows"/> as a CSV file (numbers in round-trip form), with <paramref name="header"/> when given.</summary>
    public static string WriteCsv(TempDirectory dir, string name, float[] rows, int columns, string? header)
    {
        var text = new StringBuilder();
        if (header is not null)
        {
            text.Append(header).Append('\n');
        }

        for (var start = 0; start < rows.Length; start += columns)
        {
            text.AppendJoin(',', rows.Skip(start).Take(columns).Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }

        return dir.File(name, text.ToString());
    }

    /// <summary>
    /// Asserts that the ONNX file at <paramref name="onnxPath"/> computes on the rows of <paramref name="csvPath"/> (also given as
    /// <paramref name="rows"/>) what <c>backprop predict --model <paramref name="modelPath"/></c> prints: every output within
    /// the tolerances, and the same arg-max. Returns predict's class column.
    /// </summary>
    public static string[] AssertMatchesPredict(TempDirectory dir, string modelPath, string onnxPath, string csvPath, float[] rows, int columns)
    {
        var predictions = Path.Combine(dir.Path, "predictions.csv");
        var run = CliRun.Of("predict", "--model", modelPath, "--data", csvPath, "--out", predictions);
        Assert.True(run.ExitCode == 0, run.Error);
        var lines = File.ReadAllLines(predictions);
        var expected = lines.Select(line => line.Split(',').Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var width = expected[0].Length;

        var actual = Run(onnxPath, rows, columns);

        Assert.Equal(expected.Length * width, actual.Length);
        for (var row = 0; row < expected.Length; row++)
        {
            var onnxRow = actual.AsSpan(row * width, width);
            for (var k = 0; k < width; k++)
            {
                var difference = Math.Abs((double)onnxRow[k] - expected[row][k]);
                Assert.True(
                    difference <= (RelativeTolerance * Math.Abs(expected[row][k])) + AbsoluteTolerance,
                    $"row {row}, output {k}: predict {expected[row][k]:R}, ONNX Runtime {onnxRow[k]:R}");
            }

            Assert.True(
                TensorPrimitives.IndexOfMax<float>(expected[row]) == TensorPrimitives.IndexOfMax<float>(onnxRow),
                $"row {row}: arg-max differs (predict [{string.Join(", ", expected[row])}], ONNX Runtime [{string.Join(", ", onnxRow.ToArray())}])");
        }

        return [.. lines.Select(line => line.Split(',')[0])];
    }
}
