using System.Text.Json;

namespace Backprop.Core.Serialization;

/// <summary>
/// Typed reads of <see cref="JsonElement"/> values that fail with an <see cref="InvalidInputException"/>
/// of the form <c>source: path: reason</c>, so a malformed file never surfaces as a stack trace.
/// </summary>
/// <param name="source">The file or stream name that starts every message.</param>
internal sealed class JsonFieldReader(string source)
{
    // Longest excerpt of a bad value quoted in a message; keeps messages on one readable line.
    private const int MaxQuotedLength = 40;

    public InvalidInputException Fail(string path, string reason) => new(source, path, reason);

    /// <summary>The value of key <paramref name="name"/> of the object at <paramref name="path"/>; missing or repeated keys fail.</summary>
    public JsonElement Property(JsonElement obj, string path, string name)
    {
        JsonElement? found = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                if (found is not null)
                {
                    throw Fail(path, $"key \"{name}\" appears more than once");
                }

                found = property.Value;
            }
        }

        return found ?? throw Fail(path, $"missing key \"{name}\"");
    }

    public void RequireObject(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, $"expected an object, got {Describe(element)}");
        }
    }

    /// <summary>Checks that <paramref name="element"/> is an array and returns its length.</summary>
    public int ArrayLength(JsonElement element, string path, string expected)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Fail(path, $"expected {expected}, got {Describe(element)}");
        }

        return element.GetArrayLength();
    }

    public int PositiveInt(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            throw Fail(path, $"expected a positive integer, got {Describe(element)}");
        }

        if (value <= 0)
        {
            throw Fail(path, $"must be positive, got {value}");
        }

        return value;
    }

    public string String(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw Fail(path, $"expected a string, got {Describe(element)}");
        }

        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // GetString throws this when the bytes between the quotes are not valid UTF-8.
            throw Fail(path, "the string is not valid UTF-8");
        }
    }

    /// <summary>Reads an array of exactly <c>destination.Length</c> finite float32 numbers into <paramref name="destination"/>.</summary>
    public void Floats(JsonElement element, string path, Span<float> destination)
    {
        var length = ArrayLength(element, path, $"an array of {destination.Length} numbers");
        if (length != destination.Length)
        {
            throw Fail(path, $"expected {destination.Length} numbers, got {length}");
        }

        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            destination[i] = Float(item, path, i);
            i++;
        }
    }

    /// <summary>
    /// A JSON value as a message shows it: strings and numbers as written (shortened if long),
    /// arrays and objects by kind.
    /// </summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => RawText(element) is { } raw ? Shorten(raw) : "a string that is not valid UTF-8",
    };

    /// <summary>The text of a string value without its quotes, escapes kept (so it stays on one line), shortened if long.</summary>
    public static string RawStringContent(JsonElement element)
    {
        var raw = RawText(element) ?? "\"?\"";
        return Shorten(raw.Length >= 2 ? raw[1..^1] : raw);
    }

    private float Float(JsonElement item, string arrayPath, int index)
    {
        if (item.ValueKind != JsonValueKind.Number)
        {
            throw Fail($"{arrayPath}[{index}]", $"expected a number, got {Describe(item)}");
        }

        // TryGetSingle rounds to the nearest float32 (so shortest round-trip text reads back bit-exact)
        // and refuses or overflows to infinity beyond ±3.4028235E+38.
        if (!item.TryGetSingle(out var value) || !float.IsFinite(value))
        {
            throw Fail($"{arrayPath}[{index}]", $"{Describe(item)} is outside the float32 range");
        }

        return value;
    }

    /// <summary>The value's JSON text as written, or null when a string in it is not valid UTF-8.</summary>
    private static string? RawText(JsonElement element)
    {
        try
        {
            return element.GetRawText();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Shorten(string text) =>
        text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "...");
}
