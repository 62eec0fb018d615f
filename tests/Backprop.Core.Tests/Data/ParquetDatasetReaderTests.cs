using Backprop.Core.Data;
using Backprop.Core.Data.Tables;
using Parquet;
using Parquet.Schema;

namespace Backprop.Core.Tests.Data;

public sealed class ParquetDatasetReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Read_NumericFeaturesAndStringLabel_RoundTripInTwoRowGroups()
    {
        var path = Path.Combine(_directory.Path, "iris.parquet");
        await WriteAsync(path, [([1.5, 3], [2, 4], ["virginica", "setosa"]), ([5], [6], ["virginica"])]);

        var dataset = DatasetLoader.ReadTable(path, TableOptions.Default, classes: null);

        Assert.True(ParquetDatasetReader.IsParquet(path));
        Assert.Equal(["width", "count"], dataset.FeatureNames);
        Assert.Equal(["setosa", "virginica"], dataset.LabelNames);
        Assert.Equal([1.5f, 2, 3, 4, 5, 6], dataset.Features);
        Assert.Equal(new[] { 1, 0, 1 }, dataset.Labels);
    }

    [Fact]
    public async Task Read_IntegerLabelColumnByName_IsClassNumbers()
    {
        var path = Path.Combine(_directory.Path, "numbers.parquet");
        var schema = new ParquetSchema(new DataField<int>("digit"), new DataField<float>("x"));
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(schema.DataFields[0], new ReadOnlyMemory<int>([2, 0]));
            await group.WriteAsync(schema.DataFields[1], new ReadOnlyMemory<float>([0.5f, -1f]));
        }

        var dataset = DatasetLoader.ReadTable(path, new TableOptions { LabelColumn = "digit" }, classes: null);

        Assert.Equal(new[] { 2, 0 }, dataset.Labels);
        Assert.Equal(3, dataset.TargetSize);
        Assert.Null(dataset.LabelNames);
        Assert.Equal([0.5f, -1f], dataset.Features);
    }

    [Fact]
    public async Task Read_MissingFeature_ThrowsNamingRowAndColumn()
    {
        var path = Path.Combine(_directory.Path, "gaps.parquet");
        var schema = new ParquetSchema(new DataField<double?>("width"), new DataField<string>("species"));
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(schema.DataFields[0], new ReadOnlyMemory<double?>([1.0, null]));
            await group.WriteAsync(schema.DataFields[1], ["a", "b"]);
        }

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.ReadTable(path, TableOptions.Default, classes: null));

        Assert.Equal($"{path}: row 2, column 1 (width): missing value", error.Message);
    }

    [Fact]
    public async Task Read_StringFeature_ThrowsNamingTheColumn()
    {
        var path = Path.Combine(_directory.Path, "strings.parquet");
        await WriteAsync(path, [([1], [2], ["a"])], labelFirst: true);

        var error = Assert.Throws<InvalidInputException>(() => DatasetLoader.ReadTable(path, TableOptions.Default, classes: null));

        Assert.StartsWith($"{path}: column 1 (species) holds text values; only numeric columns can be features", error.Message);
    }

    /// <summary>Writes columns width (double), count (long) and species (string), one row group per tuple.</summary>
    private static async Task WriteAsync(string path, (double[] Width, long[] Count, string[] Species)[] groups, bool labelFirst = false)
    {
        var width = new DataField<double>("width");
        var count = new DataField<long>("count");
        var species = new DataField<string>("species");
        var schema = labelFirst ? new ParquetSchema(species, width, count) : new ParquetSchema(width, count, species);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        foreach (var (widths, counts, names) in groups)
        {
            using var group = writer.CreateRowGroup();
            if (labelFirst)
            {
                await group.WriteAsync(species, names);
            }

            await group.WriteAsync(width, new ReadOnlyMemory<double>(widths));
            await group.WriteAsync(count, new ReadOnlyMemory<long>(counts));
            if (!labelFirst)
            {
                await group.WriteAsync(species, names);
            }
        }
    }
}
