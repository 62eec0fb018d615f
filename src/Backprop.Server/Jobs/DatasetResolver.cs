using System.Text.RegularExpressions;
using Backprop.Core;
using Backprop.Core.Data;
using Backprop.Protocol;
using Backprop.Protocol.V1;
using Backprop.Server.Storage;
using Backprop.Server.Trainer;

namespace Backprop.Server.Jobs;

/// <summary>Loads the samples a <see cref="DatasetReference"/> names: a built-in dataset, a path under the data root, or an upload.</summary>
internal sealed partial class DatasetResolver(DataRoot root, UploadStore uploads)
{
    private readonly LoadedDatasets _loaded = new();

    /// <summary>
    /// The train/test split of the referenced data (split with <paramref name="seed"/> where the data has no test
    /// part), and the source workers load it from when they can read the same path.
    /// </summary>
    public (DatasetSplit Data, DatasetSource Source) Load(DatasetReference reference, int seed)
    {
        var targetColumns = reference.TargetColumns;
        var table = reference.Table;
        string data;
        string field;
        switch (reference.SourceCase)
        {
            case DatasetReference.SourceOneofCase.BuiltIn:
                data = reference.BuiltIn;
                field = "dataset.built_in";
                break;
            case DatasetReference.SourceOneofCase.Path:
                data = root.ResolveDatasetPath(reference.Path, "dataset.path");
                field = "dataset.path";
                break;
            case DatasetReference.SourceOneofCase.UploadedId:
                var upload = uploads.Find(reference.UploadedId);
                data = uploads.DataPathOf(upload);
                if (targetColumns == 0 && table is null)
                {
                    (targetColumns, table) = (upload.TargetColumns, upload.Table);
                }

                field = "dataset.uploaded_id";
                break;
            default:
                throw new RequestRejectedException(Rejection.InvalidArgument, "dataset", "give built_in, path or uploaded_id");
        }

        try
        {
            var options = TableConverter.TableOptionsFrom(targetColumns, table);
            var validationSplit = reference.ValidationSplit > 0 ? reference.ValidationSplit : (double?)null;
            var key = $"{data}|{options.Key}|{reference.Standardize}|{validationSplit}|{seed}|{LoadedDatasets.VersionOf(data)}";
            var split = _loaded.GetOrLoad(key, () => DatasetLoader.Load(data, null, options, reference.Standardize, seed, validationSplit));
            var source = new DatasetSource
            {
                Data = data,
                TargetColumns = targetColumns,
                SplitSeed = seed,
                Standardize = reference.Standardize,
                ValidationSplit = reference.ValidationSplit,
            };
            if (table is not null)
            {
                source.Table = table;
            }

            return (split, source);
        }
        catch (Exception e) when (e is InvalidInputException or IOException or InvalidDataException)
        {
            // The loader's message may hold the server's own path (the client knows the data by its reference)
            // and starts with the CLI flag it was written for.
            var message = CliFlag().Replace(e.Message, "")
                .Replace(data, Describe(reference), StringComparison.Ordinal)
                .Replace(root.Path, "<data root>", StringComparison.Ordinal);
            throw new RequestRejectedException(Rejection.InvalidArgument, field, $"cannot load the dataset: {message}");
        }
    }

    [GeneratedRegex("^--[a-z-]+: ")]
    private static partial Regex CliFlag();

    private static string Describe(DatasetReference reference) => reference.SourceCase switch
    {
        DatasetReference.SourceOneofCase.Path => reference.Path,
        DatasetReference.SourceOneofCase.UploadedId => reference.UploadedId,
        _ => reference.BuiltIn,
    };
}
