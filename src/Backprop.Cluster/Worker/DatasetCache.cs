using System.Runtime.InteropServices;
using Backprop.Core.Data;
using Backprop.Protocol;
using Backprop.Protocol.V1;

namespace Backprop.Cluster.Worker;

/// <summary>
/// The training samples a worker node holds, by dataset id: loaded from the source every node can read, or
/// assembled from shipped chunks, and kept only when the checksum matches. Keeps the most recent few, so
/// a queue of jobs on the same data ships it once.
/// </summary>
public sealed class DatasetCache
{
    /// <summary>Datasets kept at once; the least recently used goes first.</summary>
    public const int Capacity = 2;

    private readonly LinkedList<(string Id, Dataset Data)> _datasets = new();
    private readonly Dictionary<string, Shipment> _shipments = [];

    /// <summary>The dataset <paramref name="descriptor"/> describes, from the cache or its source; null if neither has it.</summary>
    public Dataset? Find(DatasetDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var cached = Cached(descriptor.DatasetId);
        if (cached is not null)
        {
            return cached;
        }

        var loaded = TryLoad(descriptor);
        if (loaded is not null)
        {
            Keep(descriptor.DatasetId, loaded);
        }

        return loaded;
    }

    /// <summary>Prepares to receive the chunks of <paramref name="descriptor"/>'s dataset.</summary>
    /// <exception cref="InvalidDataException">The samples would not fit in one array.</exception>
    public void ExpectShipment(DatasetDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var width = Math.Max(descriptor.InputSize, descriptor.TargetSize);
        if ((long)descriptor.Count * width > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"dataset {descriptor.DatasetId}: {descriptor.Count} samples of {width} values do not fit in one array of at most {Array.MaxLength} floats");
        }

        _shipments.TryAdd(descriptor.DatasetId, new Shipment(descriptor));
    }

    /// <summary>Copies a shipped chunk into place.</summary>
    /// <exception cref="InvalidDataException">No shipment expected, an unknown part, or out of range.</exception>
    public void Accept(DatasetChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (!_shipments.TryGetValue(chunk.DatasetId, out var shipment))
        {
            // Another job shipped the same samples first and they are complete: this copy is redundant.
            if (Cached(chunk.DatasetId) is not null)
            {
                return;
            }

            throw new InvalidDataException($"dataset {chunk.DatasetId}: a chunk arrived but none was expected");
        }

        var target = chunk.Part switch
        {
            DatasetPart.Features => shipment.Features,
            DatasetPart.Targets => shipment.Targets,
            _ => throw new InvalidDataException($"dataset {chunk.DatasetId}: unknown part {chunk.Part}"),
        };
        var count = TensorBytes.CountOf(chunk.Data, "dataset chunk");
        if (chunk.Offset < 0 || chunk.Offset > target.Length - count)
        {
            throw new InvalidDataException($"dataset {chunk.DatasetId}: chunk at {chunk.Offset} with {count} values lies outside the {target.Length} of {chunk.Part}");
        }

        // Two jobs may ship the same samples at once: their chunks hold the same values, so count each place once.
        chunk.Data.Span.CopyTo(MemoryMarshal.AsBytes(target.AsSpan((int)chunk.Offset, count)));
        shipment.Received.Add((chunk.Part, chunk.Offset));
    }

    /// <summary>Finishes a shipment of <paramref name="chunkCount"/> chunks and keeps the dataset if it verifies.</summary>
    /// <exception cref="InvalidDataException">Chunks missing or a checksum mismatch.</exception>
    public Dataset CompleteShipment(string datasetId, int chunkCount)
    {
        if (!_shipments.Remove(datasetId, out var shipment))
        {
            return Cached(datasetId) ?? throw new InvalidDataException($"dataset {datasetId}: no chunks arrived");
        }

        var descriptor = shipment.Descriptor;
        if (shipment.Received.Count != chunkCount)
        {
            throw new InvalidDataException($"dataset {datasetId}: {shipment.Received.Count} of {chunkCount} chunks arrived");
        }

        var dataset = new Dataset(descriptor.Name, descriptor.InputSize, descriptor.TargetSize, shipment.Features, shipment.Targets);
        if (!DatasetConverter.Matches(dataset, descriptor))
        {
            throw new InvalidDataException($"dataset {datasetId}: checksum mismatch after shipping");
        }

        Keep(datasetId, dataset);
        return dataset;
    }

    /// <summary>The cached dataset <paramref name="id"/>, now the most recently used; null if not cached.</summary>
    private Dataset? Cached(string id)
    {
        for (var node = _datasets.First; node is not null; node = node.Next)
        {
            if (node.Value.Id == id)
            {
                _datasets.Remove(node);
                _datasets.AddFirst(node);
                return node.Value.Data;
            }
        }

        return null;
    }

    private void Keep(string id, Dataset dataset)
    {
        _datasets.AddFirst((id, dataset));
        while (_datasets.Count > Capacity)
        {
            _datasets.RemoveLast();
        }
    }

    /// <summary>
    /// Loads the source the same way the coordinator did, standardized when it was; a copy that differs (another
    /// platform's math, another file) is not used.
    /// </summary>
    private static Dataset? TryLoad(DatasetDescriptor descriptor)
    {
        if (descriptor.Source is not { } source || source.Data.Length == 0)
        {
            return null;
        }

        try
        {
            var table = TableConverter.TableOptionsFrom(source.TargetColumns, source.Table);
            var validationSplit = source.ValidationSplit > 0 ? source.ValidationSplit : (double?)null;
            var train = DatasetLoader.Load(source.Data, null, table, source.Standardize, source.SplitSeed, validationSplit).Train;
            return DatasetConverter.Matches(train, descriptor) ? train : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Core.InvalidInputException)
        {
            return null;
        }
    }

    private sealed class Shipment(DatasetDescriptor descriptor)
    {
        public DatasetDescriptor Descriptor { get; } = descriptor;

        public float[] Features { get; } = new float[(long)descriptor.Count * descriptor.InputSize];

        public float[] Targets { get; } = new float[(long)descriptor.Count * descriptor.TargetSize];

        public HashSet<(DatasetPart Part, long Offset)> Received { get; } = [];
    }
}
