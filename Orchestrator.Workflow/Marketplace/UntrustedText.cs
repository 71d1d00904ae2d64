using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestrator.Workflow.Marketplace;

/// <summary>
/// Text from the marketplace made fit to store and show: control characters, invisible direction overrides,
/// zero-width and tag characters, and broken surrogates removed (PostgreSQL refuses NUL and invalid UTF-16 in text;
/// a terminal or a page would obey the direction overrides; a chat model reads what a person cannot see), runs of
/// whitespace made one space, and the length cut to what its column holds, ending in "…".
/// </summary>
public static class UntrustedText
{
    public const string Ellipsis = "…";

    /// <summary>What the purchase table's <c>title</c> and <c>company</c> columns hold.</summary>
    public const int MaxTitleLength = 500;

    /// <summary>A tag is a word or two: longer ones are cut.</summary>
    public const int MaxTagLength = 100;

    /// <summary>At most this many tags of an item are kept.</summary>
    public const int MaxTags = 20;

    /// <summary>One string value of an item's data.</summary>
    public const int MaxDataStringLength = 4000;

    public static string Clean(string? text, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
            return "";

        var clean = new StringBuilder(Math.Min(text.Length, maxLength == int.MaxValue ? text.Length : maxLength + 1));
        var space = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (!IsTag(char.ConvertToUtf32(c, text[i + 1])))
                    Append(clean, ref space, c, text[i + 1]);
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
                space = clean.Length > 0;
            else if (!char.IsControl(c) && !char.IsSurrogate(c) && !IsDirectionControl(c) && !IsZeroWidth(c))
                Append(clean, ref space, c);

            // Enough is kept to know that the text must be cut.
            if (clean.Length > maxLength)
                break;
        }

        return clean.Length <= maxLength ? clean.ToString() : Cut(clean, maxLength);
    }

    /// <summary>An item's data (a JSON object) rewritten with every name and string value cleaned.</summary>
    public static string CleanJson(JsonElement data)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: the JSON is never embedded in HTML or script, and "<" written as \u003C would take six bytes.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, data);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(Clean(NameOf(property), MaxTitleLength));
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Clean(StringOf(value), MaxDataStringLength));
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    /// <summary>A JSON string's text; one that escapes a broken surrogate cannot be read as text, and counts as empty.</summary>
    public static string StringOf(JsonElement value)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }

    static string NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }

    static void Append(StringBuilder clean, ref bool space, params ReadOnlySpan<char> c)
    {
        if (space)
            clean.Append(' ');
        space = false;
        clean.Append(c);
    }

    static string Cut(StringBuilder clean, int maxLength)
    {
        var length = Math.Max(maxLength - Ellipsis.Length, 0);
        // Never split a surrogate pair.
        if (length > 0 && char.IsHighSurrogate(clean[length - 1]))
            length--;
        return clean.ToString(0, length).TrimEnd() + Ellipsis;
    }

    /// <summary>Invisible characters that reorder the text around them (the "Trojan Source" characters).</summary>
    static bool IsDirectionControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>
    /// Invisible characters of no width (zero-width spaces and joiners, word joiner, invisible operators, byte order
    /// mark): they hide words from a reader while a chat model still reads them.
    /// </summary>
    static bool IsZeroWidth(char c) => c is (>= '\u200B' and <= '\u200F') or (>= '\u2060' and <= '\u2064') or '\uFEFF';

    /// <summary>
    /// Unicode tag characters (U+E0000 to U+E007F): an invisible copy of ASCII, which a chat model reads as text
    /// (invisible prompt injection).
    /// </summary>
    static bool IsTag(int codePoint) => codePoint is >= 0xE0000 and <= 0xE007F;
}
