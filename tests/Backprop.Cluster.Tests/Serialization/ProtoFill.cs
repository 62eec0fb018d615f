using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Backprop.Cluster.Tests.Serialization;

/// <summary>
/// Builds protobuf messages with a non-default value in every field (one case of each oneof, picked by
/// variant), so a round trip that loses any field shows up as inequality.
/// </summary>
internal static class ProtoFill
{
    private const int MaxDepth = 4;

    /// <summary>Variants needed to set every case of every oneof of <paramref name="descriptor"/> once.</summary>
    public static int VariantCount(MessageDescriptor descriptor) =>
        Math.Max(1, descriptor.RealOneofCount == 0 ? 1 : descriptor.Oneofs.Where(o => !o.IsSynthetic).Max(o => o.Fields.Count));

    public static IMessage Create(MessageDescriptor descriptor, int variant, int depth = 0)
    {
        var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is { } oneof && oneof.Fields[variant % oneof.Fields.Count] != field)
            {
                continue;
            }

            if (field.IsMap)
            {
                throw new NotSupportedException($"{field.FullName}: map fields are not filled yet; extend {nameof(ProtoFill)}");
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                list.Add(ValueOf(field, variant, depth, 1));
                list.Add(ValueOf(field, variant, depth, 2));
            }
            else
            {
                field.Accessor.SetValue(message, ValueOf(field, variant, depth, 0));
            }
        }

        return message;
    }

    /// <summary>Fails naming the first field (at any depth) left at its default.</summary>
    public static void AssertEveryFieldSet(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is { } oneof)
            {
                Assert.True(oneof.Accessor.GetCaseFieldDescriptor(message) is not null, $"{oneof.FullName} has no case set");
                if (oneof.Accessor.GetCaseFieldDescriptor(message) != field)
                {
                    continue;
                }
            }

            var value = field.Accessor.GetValue(message);
            var isSet = value switch
            {
                null => false,
                IList list => list.Count > 0,
                IMessage nested => IsSetNested(nested),
                string text => text.Length > 0,
                ByteString bytes => !bytes.IsEmpty,
                bool flag => flag,
                System.Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
                IConvertible number => Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture) != 0,
                _ => throw new NotSupportedException($"{field.FullName}: {value.GetType()}"),
            };
            Assert.True(isSet, $"{field.FullName} is left at its default: the round trip would not test it");
        }
    }

    private static bool IsSetNested(IMessage nested)
    {
        AssertEveryFieldSet(nested);
        return true;
    }

    private static object ValueOf(FieldDescriptor field, int variant, int depth, int element)
    {
        var n = field.FieldNumber + (10 * element) + (100 * variant);
        return field.FieldType switch
        {
            FieldType.Double => n + 0.1,
            FieldType.Float => n + 0.25f,
            FieldType.Int32 or FieldType.SFixed32 => -n,
            FieldType.SInt32 => -n - 1_000_000,
            FieldType.UInt32 or FieldType.Fixed32 => uint.MaxValue - (uint)n,
            FieldType.Int64 or FieldType.SFixed64 or FieldType.SInt64 => long.MinValue + n,
            FieldType.UInt64 or FieldType.Fixed64 => ulong.MaxValue - (ulong)n,
            FieldType.Bool => true,
            FieldType.String => $"{field.Name}-{n}-ü",
            FieldType.Bytes => ByteString.CopyFrom(0, 0xC0, 0x7F, (byte)n),
            FieldType.Enum => System.Enum.ToObject(field.EnumType.ClrType, field.EnumType.Values[^1].Number),
            FieldType.Message when depth < MaxDepth => Create(field.MessageType, variant, depth + 1),
            _ => throw new NotSupportedException($"{field.FullName}: {field.FieldType} at depth {depth}"),
        };
    }
}
