using System.Globalization;
using Backprop.Core.Data;
using Backprop.Protocol.V1;

namespace Backprop.Protocol;

/// <summary>Describes datasets for the wire, and checks a copy against its description.</summary>
public static class DatasetConverter
{
    /// <summary>The descriptor of <paramref name="dataset"/>: a content address, its shape and checksum, and where nodes may load it from.</summary>
    public static DatasetDescriptor DescriptorOf(Dataset dataset, DatasetSource? source)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var checksum = ChecksumOf(dataset);
        var descriptor = new DatasetDescriptor
        {
            DatasetId = string.Create(CultureInfo.InvariantCulture, $"{checksum:x16}-{dataset.Count}x{dataset.InputSize}+{dataset.TargetSize}"),
            Name = dataset.Name,
            Count = dataset.Count,
            InputSize = dataset.InputSize,
            TargetSize = dataset.TargetSize,
            Checksum = checksum,
        };
        if (source is not null)
        {
            descriptor.Source = source;
        }

        return descriptor;
    }

    /// <summary>Whether <paramref name="dataset"/> holds exactly the samples <paramref name="descriptor"/> describes.</summary>
    public static bool Matches(Dataset dataset, DatasetDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(descriptor);
        return dataset.Count == descriptor.Count && dataset.InputSize == descriptor.InputSize
            && dataset.TargetSize == descriptor.TargetSize && ChecksumOf(dataset) == descriptor.Checksum;
    }

    private static ulong ChecksumOf(Dataset dataset) => TensorChecksum.Of(dataset.Features, dataset.Targets);
}
