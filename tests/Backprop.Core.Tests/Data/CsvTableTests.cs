using Backprop.Core.Data;
using Backprop.Core.Data.Tables;

namespace Backprop.Core.Tests.Data;

/// <summary>CSV files as people have them: headers, quoted fields, string labels, a label or target columns anywhere.</summary>
public sealed class CsvTableTests
{
    private const string Source = "iris.csv";

    [Fact]
    public void Read_HeaderAndStringLabels_ClassesSortedOrdinallyWithNames()
    {
        var dataset = Read("sepal,petal,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n\n\n");

        Assert.Equal(["sepal", "petal"], dataset.FeatureNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], dataset.LabelNames);
        Assert.Equal(new[] { 2, 0, 1, 0 }, dataset.Labels);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], dataset.Features);
    }

    [Fact]
    public void Read_NoHeaderStringLabels_FirstRowIsData()
    {
        var dataset = Read("1,2,b\n3,4,a\n");

        Assert.Null(dataset.FeatureNames);
        Assert.Equal(2, dataset.Count);
        Assert.Equal(new[] { 1, 0 }, dataset.Labels);
    }

    [Fact]
    public void Read_HeaderFalse_FirstRowOfTextIsAnError()
    {
        var error = Assert.Throws<InvalidInputException>(() => Read("x,y,label\n1,2,0\n", new TableOptions { Header = false }));

        Assert.Equal($"{Source}: line 1, column 1: 'x' is not a number", error.Message);
    }

    [Fact]
    public void Read_HeaderTrue_FirstRowOfNumbersIsTheHeader()
    {
        var dataset = Read("1,2,3\n4,5,0\n", new TableOptions { Header = true });

        Assert.Equal(["1", "2"], dataset.FeatureNames);
        Assert.Equal(1, dataset.Count);
    }

    [Theory]
    [InlineData("species")]
    [InlineData("1")]
    public void Read_LabelColumnByNameOrNumber_OtherColumnsAreFeatures(string column)
    {
        var dataset = Read("species,a,b\ncat,1,2\ndog,3,4\n", new TableOptions { LabelColumn = column });

        Assert.Equal(["a", "b"], dataset.FeatureNames);
        Assert.Equal(["cat", "dog"], dataset.LabelNames);
        Assert.Equal([1f, 2, 3, 4], dataset.Features);
    }

    [Fact]
    public void Read_UnknownLabelColumn_ThrowsListingTheColumns()
    {
        var error = Assert.Throws<InvalidInputException>(() => Read("a,b,c\n1,2,0\n", new TableOptions { LabelColumn = "kind" }));

        Assert.Equal($"--label-column: 'kind' is neither a column name nor a column number 1..3 of {Source} (columns: a, b, c)", error.Message);
    }

    [Fact]
    public void Read_TargetsByName_AreRealValuedTargetsInThatOrder()
    {
        var dataset = Read("price,rooms,rent,area\n10,3,1.5,70\n20,4,2.5,90\n", TableOptions.Default.WithTargets("rent,price"));

        Assert.Equal(["rooms", "area"], dataset.FeatureNames);
        Assert.Equal([3f, 70, 4, 90], dataset.Features);
        Assert.Equal([1.5f, 10, 2.5f, 20], dataset.Targets);
        Assert.Null(dataset.Labels);
    }

    [Fact]
    public void Read_QuotedFields_CommasQuotesAndLineBreaksInside()
    {
        var dataset = Read("\"width, cm\",\"say \"\"hi\"\"\",label\n\"1.5\",2,\"a, b\"\n3,4,\"line\nbreak\"\n5,6,\"a, b\"\n");

        Assert.Equal(["width, cm", "say \"hi\""], dataset.FeatureNames);
        Assert.Equal(["a, b", "line\nbreak"], dataset.LabelNames);
        Assert.Equal([1.5f, 2, 3, 4, 5, 6], dataset.Features);
    }

    [Fact]
    public void Read_ErrorAfterQuotedLineBreak_NamesTheRecordsLine()
    {
        var error = Assert.Throws<InvalidInputException>(() => Read("a,b,label\n1,2,\"x\ny\"\n3,z,w\n"));

        Assert.Equal($"{Source}: line 4, column 2 (b): 'z' is not a number", error.Message);
    }

    [Fact]
    public void Read_TestDataWithTrainingClasses_MapsNamesAndRefusesUnknownOnes()
    {
        var classes = new ClassSet(3, ["setosa", "versicolor", "virginica"]);

        var test = Read("a,label\n1,virginica\n2,setosa\n", classes: classes);
        var error = Assert.Throws<InvalidInputException>(() => Read("a,label\n1,virginica\n2,rose\n", classes: classes));

        Assert.Equal(new[] { 2, 0 }, test.Labels);
        Assert.Equal(3, test.TargetSize);
        Assert.Equal($"{Source}: line 3, column 2 (label): label 'rose' is not one of the training data's classes (setosa, versicolor, virginica)", error.Message);
    }

    [Fact]
    public void ReadInputs_HeaderWithModelFeatureNames_PicksTheColumnsByName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"backprop-inputs-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "species,b,a\nsetosa,2,1\nvirginica,4,3\n");
        try
        {
            var (values, columns) = CsvDatasetReader.ReadInputs(path, header: null, ["a", "b"], 2);

            Assert.Equal(2, columns);
            Assert.Equal([1f, 2, 3, 4], values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dataset Read(string text, TableOptions? options = null, ClassSet? classes = null) =>
        CsvDatasetReader.Read(new StringReader(text), Source, options, classes);
}
