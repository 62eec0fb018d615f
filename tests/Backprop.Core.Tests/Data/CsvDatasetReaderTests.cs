using Backprop.Core.Data;
using Backprop.Core.Data.Tables;

namespace Backprop.Core.Tests.Data;

public sealed class CsvDatasetReaderTests
{
    private const string Source = "train.csv";
    private const string NumericLabels = " (numeric labels are class numbers 0, 1, 2, …; for real-valued targets use --targets)";

    [Fact]
    public void Read_NoHeader_LastColumnBecomesOneHotLabel()
    {
        var dataset = Read("1.5,-2,2\n0,1e-3,0\n3,4,1\n");

        Assert.Equal(3, dataset.Count);
        Assert.Equal(2, dataset.InputSize);
        Assert.Equal(3, dataset.TargetSize);
        Assert.Equal([1.5f, -2f, 0f, 1e-3f, 3f, 4f], dataset.Features);
        Assert.Equal(new[] { 2, 0, 1 }, dataset.Labels);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], dataset.Targets);
        Assert.Equal(Source, dataset.Name);
    }

    [Fact]
    public void Read_HeaderRow_IsSkipped()
    {
        var dataset = Read("x, y ,label\n1,2,0\n3,4,1\n");

        Assert.Equal(2, dataset.Count);
        Assert.Equal([1f, 2f, 3f, 4f], dataset.Features);
    }

    [Fact]
    public void Read_FirstRowOneNonNumber_IsHeader()
    {
        var dataset = Read("1,2,class\n1,2,0\n");

        Assert.Equal(1, dataset.Count);
    }

    [Fact]
    public void Read_FirstRowAllNumbers_IsData()
    {
        var dataset = Read(" 7 , 8 ,1\n");

        Assert.Equal(1, dataset.Count);
        Assert.Equal([7f, 8f], dataset.Features);
    }

    [Fact]
    public void Read_BlankLinesAndCrLf_Ignored()
    {
        var dataset = Read("\r\na,b,c\r\n\r\n1,2,1\r\n   \r\n3,4,0\r\n\r\n");

        Assert.Equal(2, dataset.Count);
        Assert.Equal([1f, 2f, 3f, 4f], dataset.Features);
        Assert.Equal(new[] { 1, 0 }, dataset.Labels);
    }

    [Fact]
    public void Read_LabelWrittenWithDecimalPoint_IsAccepted()
    {
        var dataset = Read("1,2.0\n");

        Assert.Equal(new[] { 2 }, dataset.Labels);
    }

    [Fact]
    public void Read_TargetColumns_LastColumnsAreRealTargetsWithoutLabels()
    {
        var dataset = Read("a,b,c,t1,t2\n1,2,3,0.5,-0.25\n4,5,6,7,8\n", targetColumns: 2);

        Assert.Equal(3, dataset.InputSize);
        Assert.Equal(2, dataset.TargetSize);
        Assert.Equal([1f, 2, 3, 4, 5, 6], dataset.Features);
        Assert.Equal([0.5f, -0.25f, 7f, 8f], dataset.Targets);
        Assert.Null(dataset.Labels);
    }

    [Fact]
    public void Read_ClassCountGiven_UsesItEvenWhenLabelsAreFewer()
    {
        var dataset = Read("1,0\n2,1\n", classCount: 4);

        Assert.Equal(4, dataset.TargetSize);
        Assert.Equal([1f, 0, 0, 0, 0, 1, 0, 0], dataset.Targets);
    }

    [Fact]
    public void Read_FileWithByteOrderMark_ReadsDataAndNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"backprop-csv-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "1,2,1\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            var dataset = CsvDatasetReader.Read(path);

            Assert.Equal([1f, 2f], dataset.Features);
            Assert.Equal(path, dataset.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_MissingFile_ThrowsCannotOpen()
    {
        var path = Path.Combine(Path.GetTempPath(), $"backprop-csv-{Guid.NewGuid():N}.csv");

        var error = Assert.Throws<InvalidInputException>(() => CsvDatasetReader.Read(path));

        Assert.StartsWith($"{path}: cannot open: ", error.Message);
    }

    [Theory]
    [InlineData("a,b,c,d,e\n1,2,3,4,0\n\n1,2,3,4\n", "line 4: expected 5 fields, found 4")]
    [InlineData("1,2,0\n1,2,3,0\n", "line 2: expected 3 fields, found 4")]
    [InlineData("x,y,z\n1,2,0\n3,abc,0\n", "line 3, column 2 (y): 'abc' is not a number")]
    [InlineData("1,2,0\n1,,0\n", "line 2, column 2: missing value")]
    [InlineData("x,y,z\n1,2,0\n1, ,0\n", "line 3, column 2 (y): missing value")]
    [InlineData("x,y,z\n1,2,0\n1,2,\n", "line 3, column 3 (z): missing label")]
    [InlineData("1,\"2\n", "line 1: a quoted field is not closed before the end of the file")]
    [InlineData("1,\"2\"x,0\n", "line 1, column 2: 'x' after the closing quote of a field (write a quote inside a quoted field as \"\")")]
    [InlineData("1,2,0\n1,2;5,0\n", "line 2, column 2: '2;5' is not a number")]
    [InlineData("1,2,0\nNaN,2,0\n", "line 2, column 1: 'NaN' is not a finite number")]
    [InlineData("1,2,0\n1,Infinity,0\n", "line 2, column 2: 'Infinity' is not a finite number")]
    [InlineData("1,2,0\n1,-Infinity,0\n", "line 2, column 2: '-Infinity' is not a finite number")]
    [InlineData("1,2,0\n1,1e39,0\n", "line 2, column 2: '1e39' is not a finite number")]
    [InlineData("1,2,0\n1,2,1.5\n", "line 2, column 3: label '1.5' is not a non-negative integer" + NumericLabels)]
    [InlineData("1,2,0\n1,2,-1\n", "line 2, column 3: label '-1' is not a non-negative integer" + NumericLabels)]
    [InlineData("1,2,0\n1,2,NaN\n", "line 2, column 3: label 'NaN' is not a non-negative integer" + NumericLabels)]
    [InlineData("1,2,0\n1,2,65536\n", "line 2, column 3: label 65536 is too large (at most 65536 classes)")]
    [InlineData("\n\n5\n", "line 3: 1 field leaves no input column before the label")]
    public void Read_InvalidText_ThrowsNamingFileAndPlace(string text, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => Read(text));

        Assert.Equal($"{Source}: {expected}", error.Message);
    }

    [Fact]
    public void Read_LongBadField_QuotesItShortened()
    {
        var field = new string('z', 100);

        var error = Assert.Throws<InvalidInputException>(() => Read($"1,2,0\n1,{field},0\n"));

        Assert.Equal($"{Source}: line 2, column 2: '{new string('z', 40)}...' is not a number", error.Message);
    }

    [Fact]
    public void Read_LabelNotBelowGivenClassCount_ThrowsNamingLineAndColumn()
    {
        var error = Assert.Throws<InvalidInputException>(() => Read("1,0\n2,1\n3,3\n", classCount: 3));

        Assert.Equal($"{Source}: line 3, column 2: label 3 is outside the classes 0..2", error.Message);
    }

    [Theory]
    [InlineData("1,2,3\n", 3, "line 1: 3 target columns leave no input column in a row of 3 fields")]
    [InlineData("\na,b\n1,2\n", 5, "line 2: 5 target columns leave no input column in a row of 2 fields")]
    public void Read_TargetColumnsNotBelowFieldCount_Throws(string text, int targetColumns, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => Read(text, targetColumns: targetColumns));

        Assert.Equal($"{Source}: {expected}", error.Message);
    }

    [Fact]
    public void Read_TargetColumnsWithNonNumberTarget_ThrowsNamingColumn()
    {
        var error = Assert.Throws<InvalidInputException>(() => Read("1,2,3\n1,2,x\n", targetColumns: 1));

        Assert.Equal($"{Source}: line 2, column 3: 'x' is not a number", error.Message);
    }

    [Theory]
    [InlineData("", "empty file (no data rows)")]
    [InlineData("\n  \r\n\n", "empty file (no data rows)")]
    [InlineData("\nx,y,label\n\n", "no data rows after the header on line 2")]
    public void Read_NoDataRows_Throws(string text, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => Read(text));

        Assert.Equal($"{Source}: {expected}", error.Message);
    }

    private static Dataset Read(string text, int? targetColumns = null, int? classCount = null) =>
        CsvDatasetReader.Read(
            new StringReader(text),
            Source,
            new TableOptions { TargetCount = targetColumns },
            classCount is { } count ? new ClassSet(count, null) : null);
}
